"""OCR of PDF pages without a text layer: pypdfium2 renders, the ``tesseract`` CLI (chi_sim) reads.

Tesseract's TSV output gives one box per word; the boxes come back as glyphs in PDF points so the PDF
extractor rebuilds lines and table rows from them exactly as from a text layer. Optional: without
tesseract (or without its chi_sim data) :func:`available` is False and nothing runs.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from functools import lru_cache
from pathlib import Path

from .. import config
from .glyphs import Glyph

DPI = 300
PAGE_TIMEOUT = 90      # seconds for one page
TOTAL_BUDGET = 90      # seconds for all OCR of one file (the ingest allows a file 120 s)
MAX_OCR_PAGES = 40
LANG = "chi_sim+eng"


def available() -> bool:
    """OCR runs when tesseract with chi_sim is installed, unless GKJB_OCR=0 turns it off."""
    if not config.ocr_enabled():
        return False
    return _tesseract_ready()


@lru_cache(maxsize=1)
def _tesseract_ready() -> bool:
    exe = shutil.which("tesseract")
    if not exe:
        return False
    try:
        r = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return "chi_sim" in (r.stdout + r.stderr).split()


def ocr_image(png: Path, timeout: float = PAGE_TIMEOUT, psm: int = 6) -> list[tuple[str, float, float, float, float, float]]:
    """Words of an image: (text, left, top, right, bottom, confidence) in pixels."""
    r = subprocess.run(["tesseract", str(png), "stdout", "-l", LANG, "--psm", str(psm), "tsv"],
                       capture_output=True, timeout=timeout)
    words = []
    for line in r.stdout.decode("utf-8", "replace").splitlines()[1:]:
        f = line.split("\t")
        if len(f) < 12 or f[0] != "5":
            continue
        text = f[11].strip()
        if not text:
            continue
        try:
            left, top, w, h, conf = int(f[6]), int(f[7]), int(f[8]), int(f[9]), float(f[10])
        except ValueError:
            continue
        words.append((text, left, top, left + w, top + h, conf))
    return words


def ocr_pdf_pages(pdf, pages: list[int], regions: dict) -> dict:
    """OCR the given 1-based pages of an open pypdfium2 document. ``regions[page]`` is ``[None]`` for the
    whole page or a list of (x0, top, x1, bottom) boxes in points (images holding a table). Returns
    {page: (glyphs, horizontal rulings, vertical rulings)} (points, top-down) for the pages read in time."""
    out: dict[int, list] = {}
    deadline = time.monotonic() + TOTAL_BUDGET
    scale = DPI / 72.0
    with tempfile.TemporaryDirectory(prefix="gkjb-ocr-") as tmp:
        for pno in pages[:MAX_OCR_PAGES]:
            left = deadline - time.monotonic()
            if left <= 5:
                break
            try:
                page = pdf[pno - 1]
                bitmap = page.render(scale=scale, grayscale=True)
                img = bitmap.to_pil()
                page.close()
            except Exception:
                continue
            boxes = regions.get(pno) or [None]
            glyphs = []
            rulings: tuple[list, list] = ([], [])
            for k, box in enumerate(boxes):
                ox = oy = 0.0
                im = img
                if box is not None:
                    x0, y0, x1, y1 = (max(0, int(v * scale)) for v in box)
                    im = img.crop((x0, y0, min(img.width, x1), min(img.height, y1)))
                    ox, oy = x0 / scale, y0 / scale
                png = Path(tmp) / f"p{pno}-{k}.png"
                im, hs, vs = remove_rulings(im)
                for y, a, b in hs:
                    rulings[0].append((oy + y / scale, ox + a / scale, ox + b / scale))
                for x, a, b in vs:
                    rulings[1].append((ox + x / scale, oy + a / scale, oy + b / scale))
                im.save(png)
                try:
                    words = ocr_image(png, timeout=min(PAGE_TIMEOUT, left))
                except (OSError, subprocess.SubprocessError):
                    words = None
                if words is None:
                    glyphs = None
                    break
                for text, l, t, r, b, conf in words:
                    if conf < 10:
                        continue
                    glyphs.append(Glyph(text, ox + l / scale, oy + t / scale, ox + r / scale, oy + b / scale))
            if glyphs is not None:
                out[pno] = (glyphs, rulings[0], rulings[1])
    return out


def remove_rulings(im, min_frac: float = 0.06):
    """Table rulings found in a page image (runs of dark pixels longer than ``min_frac`` of the page
    width/height) are erased, so tesseract reads the cells, and returned as segments (pixels):
    horizontal (y, x0, x1), vertical (x, y0, y1)."""
    import numpy as np  # lazy: numpy and Pillow load only when OCR runs

    a = np.asarray(im.convert("L"))
    dark = a < 200  # thin rulings come out grey after scanning/antialiasing
    hs = _runs(dark, max(20, int(min_frac * a.shape[1])))
    vs = _runs(dark.T, max(20, int(0.017 * a.shape[0])))  # cells are short: one text line high
    if hs or vs:
        b = a.copy()
        for y0, y1, x0, x1 in hs:
            b[max(0, y0 - 1):y1 + 2, x0:x1 + 1] = 255
        for x0, x1, y0, y1 in vs:
            b[y0:y1 + 1, max(0, x0 - 1):x1 + 2] = 255
        from PIL import Image
        im = Image.fromarray(b)
    return im, [((y0 + y1) / 2, x0, x1) for y0, y1, x0, x1 in hs], [((x0 + x1) / 2, y0, y1) for x0, x1, y0, y1 in vs]


def _runs(dark, min_len: int):
    """Horizontal runs of at least min_len dark pixels, rows merged into lines: (r0, r1, c0, c1)."""
    import numpy as np

    found = []
    rows = np.nonzero(dark.sum(axis=1) >= min_len)[0]
    for r in rows:
        line = np.concatenate(([0], dark[r].astype(np.int8), [0]))
        d = np.diff(line)
        starts, ends = np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]
        for s0, e0 in zip(starts, ends):
            if e0 - s0 >= min_len:
                found.append((int(r), int(s0), int(e0 - 1)))
    out: list[list[int]] = []  # r0, r1, c0, c1
    for r, c0, c1 in found:  # rows ascending: extend a line seen on the previous row
        extended = False
        for ln in reversed(out):
            if ln[1] < r - 1:
                break
            if ln[1] == r - 1 and abs(ln[2] - c0) < 6 and abs(ln[3] - c1) < 6:
                ln[1] = r
                extended = True
                break
        if not extended:
            out.append([r, r, c0, c1])
    return [tuple(ln) for ln in out if ln[1] - ln[0] <= 8]  # thicker blocks are images, not rules
