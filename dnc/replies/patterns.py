"""The pattern language of config/intents/*.toml, compiled to regular expressions.

A pattern is words and marks separated by spaces (docs/replies.md):

- ``call``      a word, matched on its stem: "call", "calls", "calling";
- ``=vakare``   a word, matched on its exact folded form only;
- ``helista*``  any word whose folded form starts so (``*nummer`` ends so,
  ``*werbung*`` contains it: German compounds);
- ``stop|quit`` any one of several words (each may use = or *);
- ``me?``       an optional word (``?`` after any element or group);
- ``( a b | c )`` a group of alternative sequences, ``|`` standing alone;
- ``~3``        up to three arbitrary words (never across a sentence end);
- ``<s>``       a sentence boundary, or the start or end of the reply;
- ``<q>``       a question mark; ``^`` / ``$`` the start / end of the reply;
- ``<num>``     any number; ``<n>``, ``<time>``, ``<time2>`` capture one
  (callback hints only).

Words are folded and stemmed exactly as replies are, so a rule author writes
ordinary words. Replies are matched as a string of ``stem/form`` tokens
separated by single spaces (boundaries as ``#``, ``?``, ``^``, ``$``): each
element becomes a regex over one such token and the space after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dnc.replies.analyser import Analyser
from dnc.replies.normalise import fold

CAPTURES = ("n", "time", "time2")

_LEX = re.compile(r"\(|\)\??|[^\s()]+")
_WORD = re.compile(r"[^\W\d_]+|\d+")
_GAP = re.compile(r"~([1-9])")
_WORD_TOKEN = r"[^ /]*/[^ ]* "
# One rendered token "stem/form" matching a word of each kind.
_WORD_REGEX = {
    "stem": "(?:{})/[^ ]*",
    "form": "[^ /]*/(?:{})",
    "prefix": "[^ /]*/(?:{})[^ ]*",
    "suffix": "[^ /]*/[^ ]*(?:{})(?= )",
    "infix": "[^ /]*/[^ ]*?(?:{})[^ ]*",
}
_MARKS = {
    "<s>": r"[#?^$] ",
    "<q>": r"\? ",
    "^": r"\^ ",
    "$": r"\$ ",
    "<num>": r"\d[\d:.]*/[^ ]* ",
    "<n>": r"(?P<n>\d{1,3})/[^ ]* ",
    "<time>": r"(?P<time>\d{1,2}(?:[:.]\d{2})?)/[^ ]* ",
    "<time2>": r"(?P<time2>\d{1,2}(?:[:.]\d{2})?)/[^ ]* ",
}


class PatternError(ValueError):
    """A pattern that does not parse; the loader turns it into a ConfigError."""


@dataclass(frozen=True, slots=True)
class Anchors:
    """What a reply must hold for a pattern to match: one of these stems or
    forms, or a form starting or ending so. The engine runs a rule only on
    replies that have one (rules.LanguageRules.candidates)."""

    stems: frozenset[str] = frozenset()
    forms: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    suffixes: frozenset[str] = frozenset()

    @staticmethod
    def union(anchors: list[Anchors | None]) -> Anchors | None:
        """Anchors of alternatives: None (run always) if any alternative has none."""
        if any(a is None for a in anchors):
            return None
        known = [a for a in anchors if a is not None]
        return Anchors(
            frozenset().union(*(a.stems for a in known)),
            frozenset().union(*(a.forms for a in known)),
            frozenset().union(*(a.prefixes for a in known)),
            frozenset().union(*(a.suffixes for a in known)),
        )


@dataclass(frozen=True, slots=True)
class Compiled:
    """A pattern as a regex body (no leading look-behind) with its anchors and words."""

    regex: str
    anchors: Anchors | None
    stems: frozenset[str]
    forms: frozenset[str]


class _Parser:
    def __init__(self, pattern: str, analyser: Analyser) -> None:
        self.lexemes = _LEX.findall(pattern)
        self.pos = 0
        self.analyser = analyser
        self.stems: set[str] = set()
        self.forms: set[str] = set()

    def sequence(self, in_group: bool) -> tuple[str, Anchors | None]:
        parts: list[str] = []
        anchors: Anchors | None = None
        while self.pos < len(self.lexemes):
            lexeme = self.lexemes[self.pos]
            if lexeme == "|" or lexeme.startswith(")"):
                if not in_group:
                    raise PatternError(f"{lexeme!r} outside a group")
                break
            self.pos += 1
            regex, found, optional = self.element(lexeme)
            parts.append(f"(?:{regex})?" if optional else regex)
            if anchors is None and not optional:
                anchors = found
        if not parts:
            raise PatternError("an empty sequence")
        return "".join(parts), anchors

    def element(self, lexeme: str) -> tuple[str, Anchors | None, bool]:
        if lexeme == "(":
            return self.group()
        optional = lexeme.endswith("?") and lexeme != "?"
        body = lexeme[:-1] if optional else lexeme
        if body in _MARKS:
            return _MARKS[body], None, optional
        gap = _GAP.fullmatch(body)
        if gap:
            return f"(?:{_WORD_TOKEN}){{0,{gap.group(1)}}}", None, False
        if body.startswith(("<", "~")) or body in ("?", "|"):
            raise PatternError(f"unknown mark {lexeme!r}")
        regex, anchors = self.words(body)
        return regex, anchors, optional

    def group(self) -> tuple[str, Anchors | None, bool]:
        branches: list[str] = []
        anchors: list[Anchors | None] = []
        while True:
            regex, found = self.sequence(in_group=True)
            branches.append(regex)
            anchors.append(found)
            if self.pos >= len(self.lexemes):
                raise PatternError("a group is not closed")
            lexeme = self.lexemes[self.pos]
            self.pos += 1
            if lexeme != "|":
                break
        return "(?:" + "|".join(branches) + ")", Anchors.union(anchors), lexeme == ")?"

    def words(self, body: str) -> tuple[str, Anchors | None]:
        kinds: dict[str, list[str]] = {
            "stem": [],
            "form": [],
            "prefix": [],
            "suffix": [],
            "infix": [],
        }
        for raw in body.split("|"):
            exact, prefix, suffix = raw.startswith("="), raw.endswith("*"), raw.startswith("*")
            word = fold(raw.strip("=*")).replace("'", "").replace("-", "")
            if not _WORD.fullmatch(word):
                raise PatternError(f"{raw!r} is not one word (write words apart: opt out)")
            form = self.analyser.form(word)
            self.forms.add(form)
            if prefix or suffix:
                # A wildcard matches within the form: "anruf*", "*nummer", "*werbung*".
                kinds["infix" if prefix and suffix else "prefix" if prefix else "suffix"].append(
                    form
                )
            elif exact:
                kinds["form"].append(form)
            else:
                stem = self.analyser.stem(form)
                self.stems.add(stem)
                kinds["stem"].append(stem)
        options = [
            template.format("|".join(map(re.escape, dict.fromkeys(kinds[kind]))))
            for kind, template in _WORD_REGEX.items()
            if kinds[kind]
        ]
        anchors = None
        if not kinds["infix"]:
            anchors = Anchors(
                frozenset(kinds["stem"]),
                frozenset(kinds["form"]),
                frozenset(kinds["prefix"]),
                frozenset(kinds["suffix"]),
            )
        return "(?:" + "|".join(options) + ") ", anchors


def compile_rule(bodies: list[str]) -> re.Pattern[str]:
    """One regex for a rule's compiled pattern bodies.

    It starts with the space before the first token: a literal prefix lets
    the regex engine jump from space to space instead of trying every
    character (about twice as fast as a look-behind). ``scan`` gives back
    the matches without that space.
    """
    return re.compile(" (?:" + "|".join(bodies) + ")")


def scan(regex: re.Pattern[str], line: str) -> Iterator[re.Match[str]]:
    """Every match of a ``compile_rule`` regex in a rendered line, left to right.

    Each match ends with the space after its last token, which is also the
    space the next match may start from.
    """
    position = 0
    while (m := regex.search(line, position)) is not None:
        yield m
        position = max(m.end() - 1, m.start() + 1)


def compile_pattern(pattern: str, analyser: Analyser) -> Compiled:
    """Parse one pattern for ``analyser``'s language; PatternError when it does not parse."""
    parser = _Parser(pattern, analyser)
    regex, anchors = parser.sequence(in_group=False)
    if parser.pos != len(parser.lexemes):
        raise PatternError(f"unexpected {parser.lexemes[parser.pos]!r}")
    try:
        re.compile(regex)
    except re.error as exc:  # e.g. a capture used twice in one pattern
        raise PatternError(str(exc)) from None
    return Compiled(regex, anchors, frozenset(parser.stems), frozenset(parser.forms))
