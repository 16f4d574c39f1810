"""``python -m northpic``: the same as the ``northpic`` command."""

from northpic.cli import run

run()
