"""The reference renderer: milsymbol run in Node from the same ``node_modules``, outside the page.

A test of the page's military symbols compares what the page draws with what milsymbol
itself gives for the same code and options here, never with markup northpic once produced.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

from northpic.render.npm import node_modules

_SCRIPT = r"""
const ms = require(process.argv[1]);
const request = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {};
for (const code of request.codes) {
  const symbol = new ms.Symbol(code, request.options);
  out[code] = { svg: symbol.asSVG(), valid: symbol.isValid(), size: symbol.getSize(),
                anchor: symbol.getAnchor() };
}
process.stdout.write(JSON.stringify(out));
"""


def reference_symbols(codes: list[str], options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each code's SVG, validity, size and anchor as milsymbol draws it in Node.

    Node.js is required, as the page's own build requires milsymbol (``make`` installs both).
    """
    node = shutil.which("node")
    assert node is not None, "Node.js is not installed: run make (it installs nodejs and npm)"
    library = node_modules("milsymbol") / "milsymbol"
    result = subprocess.run(
        [node, "-e", _SCRIPT, str(library)], input=json.dumps({"codes": codes, "options": options}),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
