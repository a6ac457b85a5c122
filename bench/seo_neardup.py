"""Near-duplicate detection at site scale: times shingling, MinHash/LSH and confirmation on synthetic pages.

    .venv/bin/python bench/seo_neardup.py [--pages 2000] [--words 600] [--threshold 0.9]

Pages are random draws from a 5,000-word vocabulary, with a tenth of them near-copies of another page (a few
words changed), so the run also prints how many planted pairs were found and how many pairs were compared
exactly, against the n(n-1)/2 an all-pairs comparison would need.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import seo_neardup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--threshold", type=float, default=0.9)
    args = parser.parse_args(argv)

    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(5000)]
    texts: dict[str, str] = {}
    planted: set[tuple[str, str]] = set()
    for i in range(args.pages):
        if i % 10 == 9:
            source = f"p{i - 1:05d}"
            words = texts[source].split()
            for position in rng.sample(range(len(words)), 3):
                words[position] = "changed"
            texts[f"p{i:05d}"] = " ".join(words)
            planted.add((source, f"p{i:05d}"))
        else:
            texts[f"p{i:05d}"] = " ".join(rng.choice(vocabulary) for _ in range(args.words))

    compared = 0
    original_jaccard = seo_neardup.jaccard

    def counting_jaccard(a: seo_neardup.np.ndarray, b: seo_neardup.np.ndarray) -> float:
        nonlocal compared
        compared += 1
        return original_jaccard(a, b)

    seo_neardup.jaccard = counting_jaccard  # type: ignore[assignment]
    started = time.perf_counter()
    pairs = seo_neardup.similar_pairs(texts, args.threshold)
    elapsed = time.perf_counter() - started
    found = {(p.first, p.second) for p in pairs}
    all_pairs = args.pages * (args.pages - 1) // 2
    print(f"pages: {args.pages}, words per page: {args.words}, threshold: {args.threshold}")
    print(f"bands x rows: {seo_neardup.band_shape(args.threshold)}")
    print(f"time: {elapsed:.2f} s ({1000 * elapsed / args.pages:.2f} ms per page)")
    print(f"exact comparisons: {compared} (all pairs would be {all_pairs})")
    print(f"planted near-copies found: {len(planted & found)}/{len(planted)}")
    print(f"other pairs reported: {len(found - planted)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
