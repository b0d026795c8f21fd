"""Positioned text on a PDF page, in PDF points: what the text layer and OCR both produce, so the PDF
extractor rebuilds lines and table rows from either the same way."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Box:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Glyph(Box):
    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def h(self) -> float:
        return max(self.bottom - self.top, 1.0)
