"""What the page's orientation and measure tools (``static/measure.js``) take from Python.

The page draws a north arrow and a scale bar true at the centre of the view,
shows the cursor's position in decimal degrees, DMS and MGRS, measures
geodesic distances and bearings, searches names and ids, and gives each popup
the feature's position at the digits its precision is worth, with that
precision in the words of :data:`northpic.schema.PRECISION_LEVELS`.
"""

from __future__ import annotations

import math
from typing import Any

from northpic.schema import PRECISION_LEVELS


def measure_config() -> dict[str, Any]:
    """Return the settings ``northpic.addMeasure`` takes, as JSON-ready data.

    Examples
    --------
    >>> measure_config()["precision_levels"][-1]
    [None, 'indicative']
    """
    return {
        "precision_levels": [
            [None if math.isinf(bound) else bound, word] for bound, word in PRECISION_LEVELS
        ],
    }
