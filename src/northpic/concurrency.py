"""How many threads northpic's element-wise and parallel work uses: the one setting.

NumPy, pyarrow's CSV parser and SciPy's KD-tree queries let go of the GIL,
so threads share the work of one process; :data:`WORKERS` is how many.
"""

from __future__ import annotations

import os

#: Threads for element-wise work on millions of values, column conversions and
#: independent detectors (at most four, at most the machine's cores).
WORKERS = min(4, os.cpu_count() or 1)
