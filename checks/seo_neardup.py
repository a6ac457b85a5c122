"""Near-duplicate text at site scale: word shingles, MinHash, LSH banding, then exact Jaccard to confirm.

MinHash estimates the Jaccard similarity of two shingle sets from 128 hash minima; LSH bands group pages whose
signatures agree on a whole band, so only likely pairs are compared (not every pair of 2,000 pages). The band
shape is chosen from the threshold so that a pair at the threshold becomes a candidate with probability of
at least 99.9%, and every candidate is then confirmed on the exact shingle sets, so the verdict is exact.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_PERMUTATIONS = 128
_SEED = 20240601
_ROLL = np.uint64(0x100000001B3)  # FNV prime: shingle hash = polynomial over the word hashes, mod 2**64
_SHIFT = np.uint64(32)


# _WORD on lower-cased ASCII text: runs of a-z and 0-9 joined by single apostrophes or hyphens. Every other
# character separates words, and so does an apostrophe or hyphen without such a character on both sides
# ("a--b", "-a", "a'"): blanking those, then the rest, leaves str.split() exactly _WORD's words, in a third of
# the time.
_LONE_JOINER = re.compile(r"['\-](?:(?<![a-z0-9].)|(?![a-z0-9]))")
_ASCII_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if chr(c) not in "abcdefghijklmnopqrstuvwxyz0123456789'-"}
)


def _words(low: str) -> list[str]:
    """_WORD.findall(low) for lower-cased text."""
    if low.isascii():
        return _LONE_JOINER.sub(" ", low).translate(_ASCII_SEPARATORS).split()
    return _WORD.findall(low)


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    """A stable 64-bit hash per word (two CRC-32s); stable so runs and tests see the same shingles."""
    data = word.encode("utf-8")
    return (zlib.crc32(data) << 32) | zlib.crc32(data, 0x9E3779B9)


class _WordHashes(dict[str, int]):
    """`_word_hash` by word, read through one C-level lookup per word (pages share most of their words);
    emptied when it outgrows the bound."""

    LIMIT = 200_000

    def __missing__(self, word: str) -> int:
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[word] = _word_hash(word)
        return value


_WORD_HASHES = _WordHashes()


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique(values) for a 1-d array: sorted, each value once. Sorting and dropping repeats is several times
    faster than np.unique's hash table on a page's few thousand values."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    result: np.ndarray = ordered[keep]
    return result


def shingles(text: str, size: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of every run of `size` consecutive words (lower-cased); fewer words make
    one shingle. Vectorised: each word is hashed once and the runs are combined as a rolling polynomial."""
    words = _words(text.lower())
    if not words:
        return np.empty(0, dtype=np.uint64)
    ids = np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    width = min(size, len(ids))
    count = len(ids) - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    for k in range(width):
        acc = acc * _ROLL + ids[k : k + count]
    return sorted_unique(acc)


def _coefficients() -> np.ndarray:
    rng = np.random.default_rng(_SEED)
    odd: np.ndarray = rng.integers(1, 2**63, size=_PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
    return odd


_A = _coefficients()


def signature(shingle_hashes: np.ndarray) -> np.ndarray:
    """128 MinHash values by multiply-shift hashing, (a*x mod 2**64) >> 32 with odd a, one per permutation.

    The shift keeps order (x <= y gives x >> 32 <= y >> 32), so the minimum is taken first and shifted once,
    rather than shifting all 128 x n products."""
    with np.errstate(over="ignore"):
        products = _A[:, None] * shingle_hashes[None, :]
    result: np.ndarray = products.min(axis=1) >> _SHIFT
    return result


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if not len(a) and not len(b):
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def band_shape(threshold: float) -> tuple[int, int]:
    """(bands, rows): the most selective split of the signature that still catches a pair at `threshold`."""
    for rows in (16, 8, 4, 2, 1):
        bands = _PERMUTATIONS // rows
        if 1 - (1 - threshold**rows) ** bands >= 0.999:
            return bands, rows
    return _PERMUTATIONS, 1


@dataclass(frozen=True)
class SimilarPair:
    first: str
    second: str
    similarity: float


def similar_pairs(texts: Mapping[str, str], threshold: float, shingle_size: int = 5) -> list[SimilarPair]:
    """Pairs of keys whose texts share at least `threshold` of their word shingles (Jaccard), sorted."""
    return similar_sets({key: shingles(text, shingle_size) for key, text in texts.items()}, threshold)


def compact_signature(shingle_hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature as uint32: each value is a 64-bit product shifted right by 32, so nothing is lost,
    and a signature computed where a page is analysed travels in 512 bytes instead of 1,024. No shingles (no
    text) give an empty signature: such a page is compared with nothing."""
    if not len(shingle_hashes):
        return np.empty(0, dtype=np.uint32)
    compact: np.ndarray = signature(shingle_hashes).astype(np.uint32)
    return compact


def similar_sets(
    sets: Mapping[str, np.ndarray],
    threshold: float,
    signatures: Mapping[str, np.ndarray] | None = None,
) -> list[SimilarPair]:
    """`similar_pairs` from shingle sets already made (see `shingles`), and optionally their signatures
    (`compact_signature`), so a site check can take both from where each page was analysed."""
    keys = [key for key, s in sets.items() if len(s)]
    if len(keys) < 2:
        return []
    bands, rows = band_shape(threshold)
    buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
    for key in keys:
        given = signatures.get(key) if signatures is not None else None
        sig = compact_signature(sets[key]) if given is None else given.astype(np.uint32, copy=False)
        for band in range(bands):
            buckets[(band, sig[band * rows : (band + 1) * rows].tobytes())].append(key)
    candidates: set[tuple[str, str]] = set()
    for members in buckets.values():
        if len(members) > 1:
            candidates.update(tuple(sorted(pair)) for pair in combinations(members, 2))  # type: ignore[misc]
    pairs = []
    for first, second in sorted(candidates):
        similarity = jaccard(sets[first], sets[second])
        if similarity >= threshold:
            pairs.append(SimilarPair(first, second, round(similarity, 3)))
    return pairs


def clusters(pairs: Sequence[SimilarPair]) -> list[list[str]]:
    """Connected groups of the pairs (union-find), each sorted, largest first."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        ra, rb = find(pair.first), find(pair.second)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for key in parent:
        groups[find(key)].append(key)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g))
