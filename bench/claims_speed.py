"""Speed of the claims and caveats checks on synthetic clinic pages (default 1,000 pages of 1,500 words).

Usage: .venv/bin/python bench/claims_speed.py [--pages N] [--words N] [--seed N]

Runs on one core in this process. The language analysis (spaCy sentences, lemmas, cues) is timed apart from
the checks, which are the part the target covers: under 10 s for 1,000 pages of 1,500 words.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from auditor.config import Config  # noqa: E402
from auditor.models import Block, Page  # noqa: E402
from auditor.nlp import analyse_pages, get_nlp  # noqa: E402
from checks import caveats, claims  # noqa: E402
from checks.registry import CheckContext  # noqa: E402

GUIDE = REPO.parent / "shared" / "corpus" / "smp-safety-guide.txt"

# Sentences in the manner of UK clinic pages: mostly neutral or careful copy, some overclaims, some questions.
SENTENCES: tuple[str, ...] = (
    "Scalp micropigmentation is a non-surgical treatment that recreates the look of closely shaved hair.",
    "Every treatment starts with a consultation to assess your scalp, skin tone and hair loss pattern.",
    "Most clients need two to three sessions, spaced a week or two apart.",
    "Each session lasts between two and four hours, depending on the area treated.",
    "Results vary from person to person, depending on skin type, lifestyle and aftercare.",
    "Mild redness is normal for a day or two after each session.",
    "Avoid swimming, saunas and heavy exercise for the first few days.",
    "SMP softens gradually over several years, and most clients book a top-up every three to five years.",
    "Our practitioners are trained in SMP techniques, pigment behaviour and scalp anatomy.",
    "Like any procedure that breaks the skin, SMP carries a small risk of infection or allergic reaction.",
    "We offer a patch test if you have sensitive skin or a history of allergies.",
    "Is scalp micropigmentation permanent?",
    "Does SMP hurt?",
    "Most people describe the sensation as mildly uncomfortable rather than painful.",
    "Traditional tattoos are designed to be permanent, whereas SMP pigments fade gradually.",
    "Be wary of any clinic that promises permanent results in a single session.",
    "Hair transplant surgery offers biological regrowth but involves surgery and recovery time.",
    "SMP does not stimulate or regrow hair; it creates the appearance of density.",
    "Permanent results in one session!",
    "Our treatment is completely painless and 100% safe.",
    "Walk out with a full head of hair, guaranteed.",
    "Nobody will ever know you had it done.",
    "Book a free consultation to discuss your hairline and expectations.",
    "Our clinic is open Monday to Saturday, with late appointments on Thursdays.",
    "Parking is available behind the building, and the clinic is a short walk from the station.",
    "A conservative hairline ages naturally and remains believable over time.",
    "Pigment placed too deeply can spread or blur, which is why depth control matters.",
    "Before-and-after photos should show healed results, not just the day of treatment.",
    "We will send written aftercare instructions and call you a few days after each session.",
    "Claims of instant results should be approached with caution.",
    "Payment plans are available to spread the cost of treatment.",
    "SMP can also reduce the contrast of scars from previous hair transplant surgery.",
    "Many clients tell us they feel more confident in social and professional settings.",
    "Sun exposure speeds up fading, so we recommend a high-factor sunscreen once healed.",
    "“I wish I had done it years ago,” says one of our clients.",
    "Lifelong results that never need touching up.",
)
HEADINGS = ("What is SMP?", "How many sessions will I need?", "Aftercare", "Is SMP safe?", "Why choose us",
            "Results", "Pricing", "Frequently asked questions")


def sentence_pool() -> tuple[str, ...]:
    pool = list(SENTENCES)
    if GUIDE.exists():
        for line in GUIDE.read_text(encoding="utf-8").splitlines():
            pool.extend(part.strip() + "." for part in line.split(". ") if len(part.split()) > 5)
    return tuple(pool)


def make_pages(count: int, words: int, seed: int) -> Iterator[Page]:
    """Deterministic pages: headings, paragraphs of 2-6 sentences, until each page reaches `words` words."""
    rng = random.Random(seed)
    pool = sentence_pool()
    for number in range(count):
        blocks: list[Block] = []
        total = 0
        heading = "Scalp micropigmentation"
        while total < words:
            if rng.random() < 0.15:
                heading = rng.choice(HEADINGS)
                blocks.append(Block(len(blocks), "heading", heading, (), f"h2:nth-of-type({len(blocks)})"))
                continue
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 6)))
            total += len(text.split())
            blocks.append(Block(len(blocks), "paragraph", text, (heading,), f"p:nth-of-type({len(blocks)})"))
        url = f"https://clinic.example/{'treatments/smp' if number % 2 else 'blog/post'}-{number}"
        yield Page(url=url, source_kind="html", blocks=tuple(blocks), word_count=total)


def run(count: int, words: int, seed: int) -> None:
    config = Config()
    get_nlp()
    load_start = time.perf_counter()
    checks = [*claims.checks(config), *caveats.checks(config)]
    load_time = time.perf_counter() - load_start
    ctx = CheckContext(config=config)
    analysis_cpu = check_cpu = check_wall = 0.0
    findings = sentences = total_words = 0
    started, started_cpu = time.perf_counter(), time.process_time()
    analysed = analyse_pages(make_pages(count, words, seed))
    while True:
        c0 = time.process_time()
        apage = next(analysed, None)
        c1, w1 = time.process_time(), time.perf_counter()
        if apage is None:
            break
        analysis_cpu += c1 - c0
        for check in checks:
            findings += len(list(check.check_page(apage, ctx)))
        check_cpu += time.process_time() - c1
        check_wall += time.perf_counter() - w1
        sentences += len(apage.sentences)
        total_words += apage.page.word_count
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    target = 10.0 * count / 1000
    print(f"pages {count}, words {total_words} ({total_words / max(count, 1):.0f} per page), "
          f"sentences {sentences}, findings {findings}")
    print(f"rule packs loaded (parse, compile, run every example) in {load_time:.2f} s")
    print("times are CPU seconds of this one process (wall clock in brackets: it grows on a busy machine)")
    print(f"analysis (spaCy + cues):  {analysis_cpu:6.2f} s = {count / analysis_cpu:5.0f} pages/s")
    print(f"claims + caveats checks:  {check_cpu:6.2f} s = {count / check_cpu:5.0f} pages/s "
          f"[wall {check_wall:.2f} s = {count / check_wall:.0f} pages/s]")
    print(f"analysis + checks:        {cpu:6.2f} s = {count / cpu:5.0f} pages/s [wall {wall:.2f} s]")
    verdict = "met" if check_cpu < target else "NOT met"
    print(f"target: checks on {count} pages of {words} words in under {target:.1f} s: {verdict}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
    run(args.pages, args.words, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
