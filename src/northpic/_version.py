"""The version of northpic (a leaf: any module may import it without loading the package)."""

__version__ = "0.1.0"
