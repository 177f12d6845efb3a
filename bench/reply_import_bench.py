"""A reply file recorded: replies per second, from an SMS gateway's export.

    python bench/reply_import_bench.py [--replies 100000] [--database-url URL] [--distinct-texts]

Writes a CSV of N replies drawn from the labelled corpus
(tests/unit/replies/corpus/*.tsv, every language and intent) to distinct
numbers, into a fresh store (SQLite in a temporary folder unless
--database-url names a scratch PostgreSQL schema), and times
``Service.import_replies``: every line read, checked and classified, then
one transaction recording each reply and its effect (opt-outs on the list,
refusals and callbacks as outcomes, audited). Target: 100,000 in under a
minute.

An import reads each distinct text once (a gateway export repeats "STOP"
and "no thanks" thousands of times; the corpus has some 900 texts).
``--distinct-texts`` makes every text distinct, so every line is
classified: each gets an invisible suffix of zero-width characters, which
the reader drops (the reading is the same, the text is not).
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dnc

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "unit" / "replies" / "corpus"


def corpus() -> list[str]:
    texts = []
    for path in sorted(CORPUS.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                texts.append(line.split("\t")[1])
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--distinct-texts", action="store_true")
    args = parser.parse_args()
    rng = random.Random(7)
    texts = corpus()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'replies.db'}"
        now = datetime.now(UTC)
        path = Path(tmp) / "gateway.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["number", "text", "received_at", "channel", "campaign"])
            for n in range(args.replies):
                at = now - timedelta(minutes=rng.randrange(1, 60 * 24))
                text = rng.choice(texts) + (_invisible(n) if args.distinct_texts else "")
                writer.writerow([f"+1201{2000000 + n:07d}", text, at.isoformat(), "sms", "spring"])
        with dnc.open(url, create=True) as service:
            started, cpu = time.perf_counter(), time.process_time()
            summary = service.import_replies(path)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(summary.line())
        print(
            f"reply import: {summary.read:,} replies in {seconds:.1f} s = "
            f"{summary.read / seconds:,.0f} replies/s; {cpu:.1f} CPU s in this process"
            " (target: 100,000 in under 60 s; on a busy machine the CPU time is the fairer figure,"
            " and the database's own work on PostgreSQL is not in it)"
        )


def _invisible(n: int) -> str:
    """``n`` in zero-width spaces and non-joiners: a distinct text that reads the same."""
    return "".join("\u200b" if bit == "0" else "\u200c" for bit in bin(n)[2:])


if __name__ == "__main__":
    main()
