"""Text duplication: MinHash signatures over character 5-grams of a report's narrative (datasketch),
LSH to find similar reports of the same year without comparing all pairs, and exact containment against
the same office's previous year.

Measures (both in [0, 1], shown as %):
- prev: share of this year's 5-grams that also occur in the same office's previous-year report
  (containment |A∩B|/|A|, exact) — the "repetition rate" evaluators use.
- peer: estimated Jaccard similarity (MinHash, 64 permutations) with the most similar report of another
  office in the same year, among the LSH candidates.
Digits are folded to 0 before shingling, so a copy with only the year and figures changed still counts.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

K = 5
NUM_PERM = 64
SEED = 1
SCHEME = "affine32"
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
_P = np.uint64(1_000_003)
_POWERS = [np.uint64(pow(1_000_003, K - 1 - j, 2**64)) for j in range(K)]


def normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    t = _DROP.sub("", t)
    return _DIGIT.sub("0", t)


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted unique 32-bit hashes of the character K-grams of the normalised text."""
    t = normalise(text)
    if len(t) < K:
        return np.zeros(0, dtype=np.uint64)
    cp = np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cp) - K + 1
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for j in range(K):
            h += cp[j:j + n] * _POWERS[j]
        h ^= h >> np.uint64(31)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(29)
    return np.unique(h & np.uint64(0xFFFFFFFF))


def signature(hv: np.ndarray) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int, scheme=SCHEME)
    if len(hv):
        m.update_batch(hv.tolist())
    return m


def sig_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues).tobytes()


def sig_from_bytes(b: bytes) -> LeanMinHash:
    hv = np.frombuffer(b, dtype=np.uint32 if len(b) == NUM_PERM * 4 else np.uint64)
    return LeanMinHash(seed=SEED, hashvalues=hv, scheme=SCHEME)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """|A∩B| / |A| for sorted unique hash arrays."""
    if len(a) == 0:
        return 0.0
    return float(len(np.intersect1d(a, b, assume_unique=True))) / len(a)


class YearIndex:
    """LSH index over the signatures of one year's reports."""

    def __init__(self, threshold: float):
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.sigs: dict[int, LeanMinHash] = {}
        self.office: dict[int, int | None] = {}

    def add(self, rid: int, sig, office_id) -> None:
        if rid in self.sigs:
            return
        lean = sig if isinstance(sig, LeanMinHash) else LeanMinHash(sig)
        self.sigs[rid] = lean
        self.office[rid] = office_id
        self.lsh.insert(rid, lean, check_duplication=False)

    def best_peer(self, rid: int) -> tuple[float, int] | None:
        """(similarity, other report) for the most similar report of another office, among candidates."""
        me = self.sigs[rid]
        best = None
        for other in self.lsh.query(me):
            if other == rid or (self.office.get(other) is not None and self.office.get(other) == self.office[rid]):
                continue
            s = me.jaccard(self.sigs[other])
            if best is None or s > best[0] or (s == best[0] and other < best[1]):
                best = (s, other)
        return best
