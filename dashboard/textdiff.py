"""Shared passages of two narratives, by the duplication rule's own measure (etl/rules/dup.py): character
K-grams of the normalised text (NFKC, whitespace and punctuation dropped, digits folded to 0).

A character of the original text is shared when a K-gram of the normalised text that covers it also occurs in
the other text; punctuation and spaces inside a shared run are shared too, so a copied sentence is marked
whole. The output is HTML built from text escaped here first: a narrative containing markup or Markdown stays
inert text.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

from etl.rules import dup as D

K = D.K
MARK_STYLE = "background-color:#FFE08A;padding:0"


@dataclass(frozen=True)
class Marked:
    text: str             # the original text
    shared: list[bool]    # per original character: inside a passage shared with the other text
    n_norm: int           # characters of the normalised text
    n_norm_shared: int    # of which inside a shared K-gram


def _normalised(text: str) -> tuple[str, list[int]]:
    """The normalised text (as dup.normalise, character by character) and, per normalised character, the
    index of the original character it comes from."""
    out, idx = [], []
    for i, ch in enumerate(text):
        for c in D.normalise(ch):
            out.append(c)
            idx.append(i)
    return "".join(out), idx


def grams(text: str) -> set[str]:
    t, _ = _normalised(text)
    return {t[j:j + K] for j in range(len(t) - K + 1)}


def containment(a: str, b: str) -> float | None:
    """Share of a's distinct K-grams that occur in b: the 与上年 measure (exact, not hashed)."""
    ga = grams(a)
    return len(ga & grams(b)) / len(ga) if ga else None


def mark(text: str, other: str) -> Marked:
    text = text or ""
    t, idx = _normalised(text)
    theirs = grams(other or "")
    n = len(t)
    start = [j + K <= n and t[j:j + K] in theirs for j in range(n)]  # a shared gram starts at j
    covered = [False] * n
    link = [False] * n  # normalised chars j and j+1 lie in one shared gram
    for j, s in enumerate(start):
        if s:
            for q in range(j, j + K):
                covered[q] = True
            for q in range(j, j + K - 1):
                link[q] = True
    shared = [False] * len(text)
    for j in range(n):
        if covered[j]:
            shared[idx[j]] = True
        if link[j] and j + 1 < n:
            for i in range(idx[j] + 1, idx[j + 1]):  # dropped characters between two linked ones
                shared[i] = True
    return Marked(text, shared, n, sum(covered))


def to_html(m: Marked) -> str:
    """The text escaped, shared runs wrapped in <mark>; line breaks kept by the container's CSS."""
    out, i, n = [], 0, len(m.text)
    while i < n:
        j = i
        while j < n and m.shared[j] == m.shared[i]:
            j += 1
        piece = html.escape(m.text[i:j], quote=True)
        out.append(f'<mark style="{MARK_STYLE}">{piece}</mark>' if m.shared[i] else piece)
        i = j
    return "".join(out)


def panel(m: Marked, height_px: int = 560) -> str:
    """A scrollable block of the marked text (HTML)."""
    return (f'<div class="gkjb-textdiff" style="white-space:pre-wrap;overflow-y:auto;max-height:{height_px}px;'
            'border:1px solid #ddd;border-radius:4px;padding:0.6rem;font-size:0.9rem;line-height:1.6">'
            f"{to_html(m)}</div>")
