"""Reading a reply: every language's rules, guards and masks, then the strongest reading.

Pure. In one language a reply is rendered once as ``stem/form`` tokens, the
rules its words could match are run, matches inside a guard (or inside a
rule that masks them) are set aside, and the strongest intent left wins:
opt-out, then callback request, then refusal.

With no language given every language reads the reply and the strongest
reading wins: by intent, then a per-se keyword reading, then by how many
words its rules covered, then by script (Cyrillic text → a Cyrillic-script
language), then by the order of languages. With a language given its
reading is the answer, except that an opt-out found in any other language
still counts: a Russian-speaking customer on an Estonian campaign who
writes "не звоните" has opted out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from dnc.errors import InputError, ReplyLanguageError
from dnc.replies.hints import extract_hint
from dnc.replies.model import INTENT_RANK, Intent, ReplyIntent, RuleMatch
from dnc.replies.normalise import BOUNDARY, WORD, Token, tokenize
from dnc.replies.patterns import scan
from dnc.replies.rules import LanguageRules, ReplyRules, Rule

_CYRILLIC = re.compile("[\u0400-\u04ff]")


@dataclass(frozen=True, slots=True)
class _Fired:
    """A rule match: token indices in the rendered line (end exclusive) and
    the span in the original text, without the marks at its edges."""

    rule: Rule
    first: int
    last: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Reading:
    """One language's reading, before the reply is built (only the winner's is)."""

    language: LanguageRules
    line: str
    fired: list[_Fired]
    decisive: list[_Fired]
    intent: Intent
    per_se: bool
    coverage: int
    script_fit: int
    order: int

    @property
    def key(self) -> tuple[int, bool, int, int, int]:
        return (
            INTENT_RANK[self.intent],
            self.per_se,
            self.coverage,
            self.script_fit,
            -self.order,
        )


def classify(rules: ReplyRules, text: str, language: str | None = None) -> ReplyIntent:
    """Read ``text`` with ``rules``; see ``classify_reply``."""
    if not isinstance(text, str):
        raise InputError(f"a reply must be text (str), not {type(text).__name__}")
    wanted = _language_code(rules, language)
    tokens, _ = tokenize(text)
    if not any(t.kind != BOUNDARY for t in tokens):
        return ReplyIntent(Intent.NONE)
    cyrillic = _cyrillic_share(tokens)
    fired = [(lang, *_fire(lang, tokens)) for lang in rules.languages.values()]
    # Guards and masks work on the original text, across languages: "stop
    # by" guarded in English is no German "Stop" either.
    maskers = [f for _, _, found in fired for f in found if f.rule.masks]
    readings = [
        _assess(lang, line, found, maskers, order, cyrillic)
        for order, (lang, line, found) in enumerate(fired)
        if found or lang.code == wanted
    ]
    best: _Reading | None
    if wanted is not None:
        own = next(r for r in readings if r.language.code == wanted)
        stops = [r for r in readings if r.intent is Intent.OPT_OUT]
        best = own if own.intent is Intent.OPT_OUT or not stops else max(stops, key=_key)
    else:
        best = max(readings, key=_key, default=None)
    if best is None or not best.fired:
        return ReplyIntent(Intent.NONE)
    return _reply(best, text)


def _key(reading: _Reading) -> tuple[int, bool, int, int, int]:
    return reading.key


def _language_code(rules: ReplyRules, language: str | None) -> str | None:
    if language is None:
        return None
    if not isinstance(language, str):
        raise ReplyLanguageError(language, rules.codes)
    # "de-DE", "et_EE", "RU": the primary subtag names the rules.
    code = language.strip().replace("_", "-").split("-")[0].lower()
    if code not in rules.languages:
        raise ReplyLanguageError(language, rules.codes)
    return code


def _fire(lang: LanguageRules, tokens: tuple[Token, ...]) -> tuple[str, list[_Fired]]:
    """Every match of the language's candidate rules, and the line they ran on."""
    candidates = lang.candidates(t.key for t in tokens if t.kind != BOUNDARY)
    if not candidates:  # the common case for all but the reply's own language
        return "", []
    rendered = _render(lang, tokens)
    line = " ^ " + " ".join(rendered) + " $ "
    starts = [1]
    position = 3
    for piece in rendered:
        starts.append(position)
        position += len(piece) + 1
    starts.append(position)
    fired: list[_Fired] = []
    for rule in candidates:
        for m in scan(rule.regex, line):
            first = bisect_right(starts, m.start() + 1) - 1
            last = bisect_right(starts, m.end() - 1)
            inner = [i for i in _inner(first, last, tokens) if tokens[i - 1].kind != BOUNDARY]
            if inner:
                start, end = tokens[inner[0] - 1].start, tokens[inner[-1] - 1].end
                fired.append(_Fired(rule, inner[0], inner[-1] + 1, start, end))
    return line, fired


def _assess(
    lang: LanguageRules,
    line: str,
    fired: list[_Fired],
    maskers: list[_Fired],
    order: int,
    cyrillic: bool,
) -> _Reading:
    """The intent a language reads, from its matches that nothing sets aside."""
    active = [f for f in fired if not _set_aside(f, maskers)] if maskers else fired
    intent = max((f.rule.intent for f in active), key=INTENT_RANK.__getitem__, default=Intent.NONE)
    decisive = [f for f in active if f.rule.intent is intent]
    covered = {i for f in decisive for i in range(f.first, f.last)}
    per_se = intent is Intent.OPT_OUT and any(f.rule.per_se for f in decisive)
    script_fit = int(cyrillic == (lang.script == "cyrillic"))
    return _Reading(lang, line, fired, decisive, intent, per_se, len(covered), script_fit, order)


def _reply(reading: _Reading, text: str) -> ReplyIntent:
    callback = None
    if reading.intent is Intent.CALLBACK_REQUEST:
        standing = any(f.rule.standing for f in reading.decisive)
        callback = extract_hint(reading.language.hints, reading.line, standing)
    return ReplyIntent(
        intent=reading.intent,
        language=reading.language.code,
        matches=_matches(reading.fired, text),
        per_se=reading.per_se,
        callback=callback,
    )


def _set_aside(match: _Fired, maskers: list[_Fired]) -> bool:
    """A match lying inside another that masks its intent (a guard masks every
    intent), or anywhere in a reply where a reply-wide rule masking it fired."""
    return any(
        other is not match
        and match.rule.intent in other.rule.masks
        and (other.rule.reply_wide or (other.start <= match.start and match.end <= other.end))
        for other in maskers
    )


def _matches(fired: list[_Fired], text: str) -> tuple[RuleMatch, ...]:
    found: dict[tuple[str, int, int], RuleMatch] = {}
    for f in fired:
        key = (f.rule.id, f.start, f.end)
        found.setdefault(
            key, RuleMatch(f.rule.id, f.rule.intent, f.start, f.end, text[f.start : f.end])
        )
    return tuple(sorted(found.values(), key=lambda m: (m.start, -m.end, m.rule_id)))


def _render(lang: LanguageRules, tokens: tuple[Token, ...]) -> list[str]:
    """The reply's tokens as this language's rules read them: ``stem/form``
    for words and numbers, ``#`` or ``?`` for boundaries. The line rules run
    on is `` ^ `` + these joined by spaces + `` $ ``: token i (1-based) is the
    i-th piece after ``^``."""
    render = lang.analyser.render
    return [
        render(t.key) if t.kind == WORD else t.key if t.kind == BOUNDARY else f"{t.key}/{t.key}"
        for t in tokens
    ]


def _inner(first: int, last: int, tokens: tuple[Token, ...]) -> range:
    """Indices (1-based, as rendered) of the reply's tokens between ``first`` and ``last``."""
    return range(max(first, 1), min(last, len(tokens) + 1))


def _cyrillic_share(tokens: tuple[Token, ...]) -> bool:
    """True when most letters of the reply's words are Cyrillic."""
    letters = "".join(t.key for t in tokens if t.kind == WORD)
    return 2 * len(_CYRILLIC.findall(letters)) > len(letters)
