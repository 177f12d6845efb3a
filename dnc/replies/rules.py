"""Loaded intent rules: per language, the compiled rules, their index and the hint tables.

Pure data. The loader (``loader.py``) builds these from config/intents/*.toml;
the engine (``engine.py``) reads replies with them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time

from dnc.replies.analyser import Analyser
from dnc.replies.model import Intent
from dnc.replies.patterns import Anchors

CLOCK_KINDS = ("at", "not_before", "not_after", "window")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: when any of its patterns matches, the reply reads as ``intent``.

    A rule whose intent is ``none`` is a guard: it sets aside every match it
    covers ("what does STOP do?"). Other rules may set aside matches of the
    intents in ``masks`` that lie inside their own ("don't call before 10"
    is a callback, not a "don't call"), or anywhere in the reply when
    ``reply_wide`` ("in a meeting, I'll call you back" asks for no call).
    ``per_se`` marks the bare-keyword replies; ``standing`` a callback rule
    that states lasting preferred hours.
    """

    id: str
    language: str
    intent: Intent
    description: str
    patterns: tuple[str, ...]
    regex: re.Pattern[str]
    anchors: Anchors | None
    per_se: bool = False
    masks: frozenset[Intent] = frozenset()
    standing: bool = False
    reply_wide: bool = False
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class DayHint:
    """A day word: days from today, a weekday, or neither ("guten Morgen" is no day)."""

    regex: re.Pattern[str]
    offset: int | None = None
    weekday: int | None = None


@dataclass(frozen=True, slots=True)
class PartHint:
    """A part of the day ("after lunch"); ``pm`` reads a bare 1-11 o'clock in it as p.m."""

    regex: re.Pattern[str]
    window: tuple[time, time]
    pm: bool


@dataclass(frozen=True, slots=True)
class ClockHint:
    """A clock time in context: ``<time>`` (and ``<time2>`` for a window) with its kind."""

    regex: re.Pattern[str]
    kind: str
    pm: bool
    am: bool


@dataclass(frozen=True, slots=True)
class DelayHint:
    """A delay: ``minutes`` per ``<n>`` captured, or in all when the pattern has none."""

    regex: re.Pattern[str]
    minutes: int


@dataclass(frozen=True, slots=True)
class Hints:
    days: tuple[DayHint, ...] = ()
    parts: tuple[PartHint, ...] = ()
    clocks: tuple[ClockHint, ...] = ()
    delays: tuple[DelayHint, ...] = ()


@dataclass(slots=True)
class LanguageRules:
    """Everything needed to read replies in one language."""

    code: str
    name: str
    script: str
    analyser: Analyser
    rules: list[Rule] = field(default_factory=list)
    hints: Hints = field(default_factory=Hints)
    sources: list[str] = field(default_factory=list)
    _by_stem: dict[str, list[int]] = field(default_factory=dict)
    _by_form: dict[str, list[int]] = field(default_factory=dict)
    _always: list[int] = field(default_factory=list)

    def index(self) -> None:
        """Index every rule by its anchor words, so a reply runs only rules it could match."""
        self._by_stem.clear()
        self._by_form.clear()
        self._always.clear()
        for i, rule in enumerate(self.rules):
            if rule.anchors is None:
                self._always.append(i)
                continue
            for stem in rule.anchors.stems:
                self._by_stem.setdefault(stem, []).append(i)
            for form in rule.anchors.forms:
                self._by_form.setdefault(form, []).append(i)

    def candidates(self, words: Iterable[str]) -> list[Rule]:
        """The rules that may match a reply with these ``stem/form`` words, in file order."""
        found = set(self._always)
        for word in words:
            stem, _, form = word.partition("/")
            found.update(self._by_stem.get(stem, ()))
            found.update(self._by_form.get(form, ()))
        return [self.rules[i] for i in sorted(found)]


@dataclass(frozen=True, slots=True)
class ReplyRules:
    """The loaded rules of every language, in the order languages are tried."""

    languages: dict[str, LanguageRules]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.languages)

    def rule(self, rule_id: str) -> Rule:
        for language in self.languages.values():
            for rule in language.rules:
                if rule.id == rule_id:
                    return rule
        raise KeyError(rule_id)

    def all_rules(self) -> list[Rule]:
        return [rule for language in self.languages.values() for rule in language.rules]
