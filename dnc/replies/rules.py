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
_WORD_CACHE_SIZE = 200_000


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
    _by_prefix: dict[str, list[int]] = field(default_factory=dict)
    _by_suffix: dict[str, list[int]] = field(default_factory=dict)
    _prefix_lengths: tuple[int, ...] = ()
    _suffix_lengths: tuple[int, ...] = ()
    _always: list[int] = field(default_factory=list)
    _word_rules: dict[str, frozenset[int]] = field(default_factory=dict)

    def index(self) -> None:
        """Index every rule by its anchors, so a reply runs only rules it could match."""
        for table in (self._by_stem, self._by_form, self._by_prefix, self._by_suffix):
            table.clear()
        self._always.clear()
        self._word_rules.clear()
        for i, rule in enumerate(self.rules):
            anchors = rule.anchors
            if anchors is None:
                self._always.append(i)
                continue
            for keys, table in (
                (anchors.stems, self._by_stem),
                (anchors.forms, self._by_form),
                (anchors.prefixes, self._by_prefix),
                (anchors.suffixes, self._by_suffix),
            ):
                for key in keys:
                    table.setdefault(key, []).append(i)
        self._prefix_lengths = tuple(sorted({len(p) for p in self._by_prefix}))
        self._suffix_lengths = tuple(sorted({len(s) for s in self._by_suffix}))

    def candidates(self, keys: Iterable[str]) -> list[Rule]:
        """The rules that may match a reply with these folded word and number
        tokens, in file order. Cached per token: most replies give no
        candidate in most languages, and then nothing else is done there."""
        found = set(self._always)
        cache = self._word_rules
        for key in keys:
            rules = cache.get(key)
            if rules is None:
                word = f"{key}/{key}" if key[0].isdigit() else self.analyser.render(key)
                rules = self._rules_for(word)
                if len(cache) >= _WORD_CACHE_SIZE:
                    cache.clear()
                cache[key] = rules
            found.update(rules)
        return [self.rules[i] for i in sorted(found)]

    def _rules_for(self, word: str) -> frozenset[int]:
        stem, _, form = word.partition("/")
        found = set(self._by_stem.get(stem, ()))
        found.update(self._by_form.get(form, ()))
        for n in self._prefix_lengths:
            if n > len(form):
                break
            found.update(self._by_prefix.get(form[:n], ()))
        for n in self._suffix_lengths:
            if n > len(form):
                break
            found.update(self._by_suffix.get(form[-n:], ()))
        return frozenset(found)


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
