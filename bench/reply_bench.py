"""Replies classified per second on one core, over the labelled corpus.

    python bench/reply_bench.py [--messages 100000] [--language detect|given] [--profile]

Reads tests/unit/replies/corpus/*.tsv (every language), repeats it to at
least --messages replies and times ``classify_reply`` one reply at a time
with perf_counter_ns. Two runs: the corpus as it is (words seen before, as
in real traffic) and each reply with an unseen word appended (every reply
pays stemming for a new word: the cold case). Prints replies per CPU second of
this process (the one-core figure; on a busy machine wall time also counts
other processes), replies per wall second, and p50/p99 latency.
``--profile`` prints the top functions of a cProfile run instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import string
import time
from pathlib import Path

from dnc.replies import classify_reply, default_reply_rules

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "unit" / "replies" / "corpus"


def corpus() -> list[tuple[str, str]]:
    """(language, text) for every labelled line."""
    lines = []
    for path in sorted(CORPUS.glob("*.tsv")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.startswith("#"):
                lines.append((path.stem, raw.split("\t")[1]))
    return lines


def run(messages: list[tuple[str, str]], given: bool) -> tuple[float, float, list[int]]:
    """Wall seconds, CPU seconds of this process, and each reply's latency in ns."""
    samples = []
    started, cpu = time.perf_counter(), time.process_time()
    for language, text in messages:
        t0 = time.perf_counter_ns()
        classify_reply(text, language if given else None)
        samples.append(time.perf_counter_ns() - t0)
    return time.perf_counter() - started, time.process_time() - cpu, samples


def report(name: str, elapsed: float, cpu: float, samples: list[int]) -> None:
    # Replies per CPU second is the one-core figure on a shared machine:
    # wall time also counts the time other processes held the core.
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000
    print(
        f"{name}: {len(samples)} replies, {len(samples) / cpu:,.0f}/s per CPU second"
        f" ({len(samples) / elapsed:,.0f}/s wall, {elapsed:.1f} s);"
        f" p50 {statistics.median(samples) / 1000:.0f} µs, p99 {p99:.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--language", choices=["detect", "given"], default="detect")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    lines = corpus()
    messages = (lines * (args.messages // len(lines) + 1))[: max(args.messages, len(lines))]
    rng = random.Random(7)
    unseen = [
        (lang, f"{text} {''.join(rng.choices(string.ascii_lowercase, k=8))}")
        for lang, text in messages
    ]
    given = args.language == "given"
    default_reply_rules()  # load and compile the rule files outside the timing
    run(lines, given)  # warm the caches, as a running service has them
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run, messages, given)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    print(f"{len(lines)} corpus replies, language {args.language}, one core")
    report("corpus repeated (warm)", *run(messages, given))
    report("unseen word in each (cold)", *run(unseen, given))


if __name__ == "__main__":
    main()
