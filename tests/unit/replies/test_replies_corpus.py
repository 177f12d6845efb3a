"""The labelled corpus: precision and recall per language and intent, against targets.

Each ``corpus/<lang>.tsv`` line is ``intent<TAB>text`` (``<TAB>per_se`` for
a bare keyword reply). Replies are read with no language given (the
language is detected), which is the harder case; the same figures with the
language given are printed too. ``pytest -s`` shows the table, and so does
``python tests/unit/replies/test_replies_corpus.py`` (docs/replies.md quotes it).

Targets: every per-se keyword reply read as a per-se opt-out; opt-out
recall >= 0.98 and precision >= 0.95 in each language; at most 2 % of
callback requests read as opt-outs.

``heldout/<lang>.tsv``, in the same shape, holds replies written and
labelled before the classifier read them, measured against their own
thresholds (below).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from dnc.replies import Intent, classify_reply

CORPUS = Path(__file__).parent / "corpus"
HELDOUT = Path(__file__).parent / "heldout"
LANGUAGES = ("en", "de", "et", "lt", "ru")


@dataclass(frozen=True)
class Line:
    language: str
    expected: Intent
    text: str
    per_se: bool


def load(language: str, folder: Path = CORPUS) -> list[Line]:
    lines = []
    path = folder / f"{language}.tsv"
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        intent, text, *flags = raw.split("\t")
        lines.append(Line(language, Intent(intent), text, "per_se" in flags))
    return lines


def everything(folder: Path = CORPUS) -> list[Line]:
    return [line for language in LANGUAGES for line in load(language, folder)]


@dataclass(frozen=True)
class Figures:
    language: str
    given: bool
    counts: Counter[tuple[Intent, Intent]]
    wrong: list[tuple[Line, Intent]]

    def precision(self, intent: Intent) -> float:
        read = sum(n for (_, got), n in self.counts.items() if got is intent)
        return self.counts[(intent, intent)] / read if read else 1.0

    def recall(self, intent: Intent) -> float:
        true = sum(n for (want, _), n in self.counts.items() if want is intent)
        return self.counts[(intent, intent)] / true if true else 1.0

    def support(self, intent: Intent) -> int:
        return sum(n for (want, _), n in self.counts.items() if want is intent)

    @property
    def callbacks_as_opt_out(self) -> float:
        true = self.support(Intent.CALLBACK_REQUEST)
        return self.counts[(Intent.CALLBACK_REQUEST, Intent.OPT_OUT)] / true if true else 0.0


def measure(language: str, given: bool, folder: Path = CORPUS) -> Figures:
    counts: Counter[tuple[Intent, Intent]] = Counter()
    wrong = []
    for line in load(language, folder):
        got = classify_reply(line.text, language if given else None).intent
        counts[(line.expected, got)] += 1
        if got is not line.expected:
            wrong.append((line, got))
    return Figures(language, given, counts, wrong)


def report(given: bool, folder: Path = CORPUS) -> str:
    head = f"{folder.name}, " + ("language given" if given else "language detected")
    rows = [f"{head}: precision / recall (support) per intent; callback→opt-out share"]
    for language in LANGUAGES:
        fig = measure(language, given, folder)
        cells = [
            f"{i.value} {fig.precision(i):.2f}/{fig.recall(i):.2f} ({fig.support(i)})"
            for i in Intent
        ]
        n = sum(fig.counts.values())
        rows.append(
            f"  {language} n={n}: " + "; ".join(cells) + f"; cb→opt {fig.callbacks_as_opt_out:.1%}"
        )
        rows.extend(
            f"      {ln.expected.value} read as {got.value}: {ln.text}" for ln, got in fig.wrong
        )
    return "\n".join(rows)


def test_corpus_has_at_least_100_messages_per_language_across_all_intents() -> None:
    for language in LANGUAGES:
        lines = load(language)
        assert len(lines) >= 100, language
        assert {line.expected for line in lines} == set(Intent), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_per_se_keyword_reply_is_a_per_se_opt_out(language: str) -> None:
    for line in load(language):
        if line.per_se:
            reply = classify_reply(line.text)
            assert reply.intent is Intent.OPT_OUT and reply.per_se, line.text


@pytest.mark.parametrize("given", [False, True], ids=["detected", "given"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_corpus_meets_the_opt_out_targets(language: str, given: bool) -> None:
    fig = measure(language, given)
    print(
        f"\n{language} ({'given' if given else 'detected'}): "
        + ", ".join(f"{i.value} P={fig.precision(i):.2f} R={fig.recall(i):.2f}" for i in Intent)
    )
    assert fig.recall(Intent.OPT_OUT) >= 0.98, fig.wrong
    assert fig.precision(Intent.OPT_OUT) >= 0.95, fig.wrong
    assert fig.callbacks_as_opt_out <= 0.02, fig.wrong


def test_print_the_corpus_report() -> None:
    print("\n" + report(given=False) + "\n" + report(given=True))


# The held-out replies (heldout/<lang>.tsv) were written and labelled before
# the classifier read them. Read first, opt-out recall was 0.91 (en), 0.94
# (et) and 1.00 elsewhere, precision 0.95 (en, de) and 1.00 elsewhere; the
# rules were then widened by general patterns (docs/replies.md), so the
# figures they reach now are no longer a fair estimate of unseen wording.
# The thresholds below are what an unseen set honestly gets: they catch a
# rule change that breaks what used to work, not a missed new phrasing.
HELDOUT_OPT_OUT_RECALL = 0.90
HELDOUT_OPT_OUT_PRECISION = 0.90
HELDOUT_POOLED_OPT_OUT_RECALL = 0.95


def test_heldout_has_at_least_40_new_messages_per_language_across_all_intents() -> None:
    seen = {line.text.casefold() for line in everything()}
    for language in LANGUAGES:
        lines = load(language, HELDOUT)
        assert len(lines) >= 40, language
        assert {line.expected for line in lines} == set(Intent), language
        assert not [line.text for line in lines if line.text.casefold() in seen], language


@pytest.mark.parametrize("given", [False, True], ids=["detected", "given"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_heldout_meets_its_own_thresholds(language: str, given: bool) -> None:
    fig = measure(language, given, HELDOUT)
    assert fig.recall(Intent.OPT_OUT) >= HELDOUT_OPT_OUT_RECALL, fig.wrong
    assert fig.precision(Intent.OPT_OUT) >= HELDOUT_OPT_OUT_PRECISION, fig.wrong
    assert fig.callbacks_as_opt_out <= 0.02, fig.wrong
    for line in load(language, HELDOUT):
        if line.per_se:
            reply = classify_reply(line.text, language if given else None)
            assert reply.intent is Intent.OPT_OUT and reply.per_se, line.text


def test_heldout_opt_outs_pooled_over_the_languages() -> None:
    found = [measure(language, False, HELDOUT) for language in LANGUAGES]
    hit = sum(f.counts[(Intent.OPT_OUT, Intent.OPT_OUT)] for f in found)
    true = sum(f.support(Intent.OPT_OUT) for f in found)
    assert hit / true >= HELDOUT_POOLED_OPT_OUT_RECALL


def test_print_the_heldout_report() -> None:
    print("\n" + report(False, HELDOUT) + "\n" + report(True, HELDOUT))


if __name__ == "__main__":
    sys.stdout.write(report(given=False) + "\n\n" + report(given=True) + "\n\n")
    sys.stdout.write(report(False, HELDOUT) + "\n\n" + report(True, HELDOUT) + "\n")
