"""The genogram: a layout of the family network (pure Python), and an SVG
writer for it. See :func:`genogram_layout` and :func:`genogram_svg`."""

from .layout import genogram_layout
from .scene import Genogram

__all__ = ["Genogram", "genogram_layout"]
