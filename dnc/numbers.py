"""Phone numbers: parse any human format once, then carry E.164.

Pure domain over the ``phonenumbers`` library. A full parse with
validation and time zones costs ~35 µs, more than the rest of a check, so:
input already in E.164 ("+12015550123") or in plain NANP digits
("2015550123") skips phonenumbers' general-purpose parser (a property test
holds the shortcut to the parser's answer), and every result is kept in a
bounded cache keyed by the raw text and region, since dialers present the
same numbers over and over. A bulk load of distinct numbers (a lead list)
goes through BulkParser instead, which parses once per NANP exchange where
phonenumbers' own patterns are proved to decide no finer.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, ValidationResult
from phonenumbers import timezone as pn_timezone
from phonenumbers.tzdata import TIMEZONE_DATA

from dnc.errors import InvalidNumberError

_UNKNOWN_ZONE = "Etc/Unknown"

_POSSIBLE_WHY = {
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong length for its region",
}

_PARSE_WHY = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown or missing country calling code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A valid phone number, in E.164, with what rules need to know of it."""

    e164: str
    country_code: int
    national_number: str
    region: str
    time_zones: tuple[str, ...]

    @property
    def key(self) -> int:
        """The E.164 digits as an integer: the compact storage key."""
        return int(self.e164[1:])

    @property
    def digits(self) -> str:
        """The E.164 digits without the plus."""
        return self.e164[1:]

    @property
    def area_code(self) -> str | None:
        """The NANP area code (first three national digits), for +1 numbers."""
        return self.national_number[:3] if self.country_code == 1 else None

    def __str__(self) -> str:
        return self.e164


def parse(text: str, default_region: str = "US") -> PhoneNumber:
    """Parse ``text`` in any format ``phonenumbers`` reads.

    Raises InvalidNumberError naming the input and why it was refused.
    """
    if not isinstance(text, str):
        raise InvalidNumberError(repr(text), "not a string")
    return _parse_cached(text.strip(), default_region.upper())


@lru_cache(maxsize=200_000)
def _parse_cached(text: str, region: str) -> PhoneNumber:
    if not text:
        raise InvalidNumberError(text, "empty")
    parsed = fast_parse(text, region)
    if parsed is None:
        try:
            parsed = phonenumbers.parse(text, region)
        except NumberParseException as exc:
            why = _PARSE_WHY.get(exc.error_type, str(exc))
            raise InvalidNumberError(text, why) from None
    possible = phonenumbers.is_possible_number_with_reason(parsed)
    if possible not in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        raise InvalidNumberError(text, _POSSIBLE_WHY.get(possible, "not a possible number"))
    region_code = phonenumbers.region_code_for_number(parsed)
    # is_valid_number(parsed) is exactly this, finding the region again: a
    # NANP number's region is a scan of 25 regions' patterns.
    if region_code is None or not phonenumbers.is_valid_number_for_region(parsed, region_code):
        where = region_code or f"+{parsed.country_code}"
        raise InvalidNumberError(text, f"not a valid number for region {where}")
    zones = _known(pn_timezone.time_zones_for_number(parsed))
    return PhoneNumber(
        e164=phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        country_code=parsed.country_code or 0,
        national_number=phonenumbers.national_significant_number(parsed),
        region=region_code or "ZZ",
        time_zones=zones,
    )


def _known(zones: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(z for z in zones if z != _UNKNOWN_ZONE)


def exchange_zones(area_code: str) -> frozenset[tuple[str, ...]]:
    """The zone answers phonenumbers gives particular exchanges of a NANP area
    code, and not the area code as a whole.

    phonenumbers places a +1 number by the longest prefix it lists: an
    exchange where it knows one, else the area code (or all of NANP). A
    number whose zones are one of these answers was placed by its exchange;
    any other answer says no more than the area code does. An exchange
    listed with the area code's own answer cannot be told apart from the
    rest, so it counts as placed by the area code (the cautious side).
    """
    return _exchange_zones().get(area_code, frozenset())


@lru_cache(maxsize=1)
def _exchange_zones() -> dict[str, frozenset[tuple[str, ...]]]:
    found: dict[str, set[tuple[str, ...]]] = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if len(prefix) > 4 and prefix[0] == "1":
            found.setdefault(prefix[1:4], set()).add(_known(zones))
    return {area: frozenset(answers - {_area_code_answer(area)}) for area, answers in found.items()}


def _area_code_answer(area_code: str) -> tuple[str, ...]:
    digits = "1" + area_code
    for size in range(len(digits), 0, -1):
        zones = TIMEZONE_DATA.get(digits[:size])
        if zones is not None:
            return _known(zones)
    return ()


_E164 = re.compile(r"\+([1-9][0-9]{1,14})")
_NANP_DIGITS = re.compile(r"1?([2-9][0-9]{2}[2-9][0-9]{6})")


def fast_parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The parser's answer for E.164 or plain NANP digits, or None to use the parser.

    Country calling codes are prefix-free, so the first known 1-3 digit
    prefix is the code. A national number with a leading zero (Italy) needs
    the parser's leading-zero bookkeeping, so it is left to the parser.
    """
    match = _E164.fullmatch(text)
    if match:
        digits = match.group(1)
        for size in (1, 2, 3):
            code = int(digits[:size])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                national = digits[size:]
                # Below the parser's minimum length, let it say "too short".
                if len(national) < 2 or national[0] == "0":
                    return None
                return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
        return None
    if region in _NANP_REGIONS:
        match = _NANP_DIGITS.fullmatch(text)
        if match:
            return phonenumbers.PhoneNumber(country_code=1, national_number=int(match.group(1)))
    return None


_NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])


def from_stored(key: int, region: str, zones: str) -> PhoneNumber:
    """Rebuild a number parsed earlier from its key, region and zones (comma-separated).

    For bulk paths (the scrub) that stored what the parse found: ~1 µs
    instead of a full parse.
    """
    digits = str(key)
    code = _country_code(region, digits[:3])
    return PhoneNumber(
        e164=f"+{digits}",
        country_code=code,
        national_number=digits[len(str(code)) :],
        region=region,
        time_zones=_zones(zones),
    )


@lru_cache(maxsize=1024)
def _country_code(region: str, head: str) -> int:
    code = phonenumbers.country_code_for_region(region)
    if code:
        return int(code)
    return int(next(c for c in (head[:1], head[:2], head[:3]) if int(c) in _CODES))


@lru_cache(maxsize=1024)
def _zones(zones: str) -> tuple[str, ...]:
    return tuple(z for z in zones.split(",") if z)


_CODES = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def other_readings(text: str, default_region: str, regions: Iterable[str]) -> tuple[str, ...]:
    """The valid readings of ``text`` in ``regions`` other than the default
    one, in international format, for a number the default region cannot
    read: ``020 7946 0000`` (too long for the US) reads ``+44 20 7946 0000``
    in GB. A number already in international form has no other reading."""
    if text.strip().startswith("+"):
        return ()
    found: dict[str, None] = {}
    for region in sorted({r.upper() for r in regions} - {default_region.upper()}):
        try:
            parsed = phonenumbers.parse(text, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            found.setdefault(shown, None)
    return tuple(found)


# ---------------------------------------------------------------- bulk parsing

Parsed = tuple[int, str, tuple[str, ...]]
"""What a bulk load keeps of a number: its key, region and time zones."""

# National digits that decide everything parse() finds of a 10-digit NANP
# number but its digits: the area code and exchange. Time zones are listed
# by at most "1" + 6 digits (checked by _nanp_prefix_decides).
NANP_PREFIX = 6
_NANP_TEN = re.compile(r"\+1([1-9][0-9]{9})")  # fast_parse's E.164 reading of a +1 number
_NANP_TEN_LOCAL = re.compile(r"(?:\+1(?=[1-9])|1?(?=[2-9][0-9]{2}[2-9]))([0-9]{10})")


class BulkParser:
    """parse(text, default_region) for many numbers, as (key, region, zones).

    Raises the very InvalidNumberError parse() would. A 10-digit NANP number
    in E.164 or plain digits (what fast_parse reads as +1 and ten national
    digits) is parsed once per area code and exchange: phonenumbers finds
    its region, validity and time zones by patterns that read no further
    than its sixth national digit and zones listed by at most that prefix
    (proved from the metadata by _nanp_read_further), so every number of an
    exchange gets the answer of any other: ~0.3 µs instead of 35. The
    exchanges of a region whose patterns do read further (Jamaica's
    876-606-0, Barbados' 246-521) are parsed number by number, as is
    anything else.
    """

    def __init__(self, default_region: str = "US") -> None:
        self.region = default_region.upper()
        further = _nanp_read_further()
        self._further = further or frozenset()
        self._nanp: re.Pattern[str] | None = None
        if further is not None:
            self._nanp = _NANP_TEN_LOCAL if self.region in _NANP_REGIONS else _NANP_TEN
        self._prefixes: dict[str, Parsed | str | None] = {}
        self._heads: dict[str, tuple[str, str | None] | None] = {}

    def __call__(self, text: str) -> Parsed:
        text = text.strip()
        match = self._nanp.fullmatch(text) if self._nanp is not None else None
        if match is not None:
            national = match.group(1)
            prefix = national[:NANP_PREFIX]
            found = self._prefixes[prefix] if prefix in self._prefixes else self._prefix(prefix)
            if isinstance(found, str):
                raise InvalidNumberError(text, found)
            if found is not None:
                return 10_000_000_000 + int(national), found[1], found[2]
        phone = parse(text, self.region)
        return phone.key, phone.region, phone.time_zones

    def _prefix(self, prefix: str) -> Parsed | str | None:
        """The answer for every number of ``prefix``: a parse, why it is
        refused, or None where its region's patterns read further."""
        national = int(prefix + "0" * (10 - NANP_PREFIX))
        head = prefix[:NANP_HEAD]
        decided = self._heads[head] if head in self._heads else self._head(head)
        found: Parsed | str | None = None
        if decided is not None:
            region, why = decided
            found = (
                why if why is not None else (10_000_000_000 + national, region, _zones_of(prefix))
            )
            self._prefixes[prefix] = found
            return found
        numobj = phonenumbers.PhoneNumber(country_code=1, national_number=national)
        if phonenumbers.region_code_for_number(numobj) not in self._further:
            try:
                # Any number of the exchange, read the same way (fast_parse, as +1).
                phone = _parse_cached(f"+1{national}", "US")
                found = (phone.key, phone.region, phone.time_zones)
            except InvalidNumberError as exc:
                found = exc.why
        self._prefixes[prefix] = found
        return found

    def _head(self, head: str) -> tuple[str, str | None] | None:
        """(region, why numbers are refused or None) for every number whose
        first NANP_HEAD national digits are ``head``, where every pattern
        that finds, validates and types such a number is decided by them
        and the type is geographic (zones are then looked up by exchange);
        else None."""
        national = int(head + "0" * (10 - NANP_HEAD))
        numobj = phonenumbers.PhoneNumber(country_code=1, national_number=national)
        region = phonenumbers.region_code_for_number(numobj)
        patterns = [*_region_finding_patterns(), *(_type_patterns(region) if region else ())]
        decided: tuple[str, str | None] | None = None
        if all(_decided_by(pattern, head) for pattern in patterns):
            try:
                phone = _parse_cached(f"+1{national}", "US")
            except InvalidNumberError as exc:
                decided = (region or "ZZ", exc.why)
            else:
                kind = phonenumbers.number_type(numobj)
                if phonenumbers.is_number_type_geographical(kind, 1):
                    decided = (phone.region, None)
        self._heads[head] = decided
        return decided


def _zones_of(exchange: str) -> tuple[str, ...]:
    """The time zones phonenumbers gives a geographic +1 number of
    ``exchange`` (time_zones_for_geographical_number: the longest listed
    prefix of its E.164 digits, none listed longer than "1" and the
    exchange), without building and formatting a number for it."""
    digits = "1" + exchange
    for size in range(len(digits), 0, -1):
        zones = TIMEZONE_DATA.get(digits[:size])
        if zones is not None:
            return _known(zones)
    return ()


# A NANP number's area code and the exchange's first digit, which decide
# most numbers' region, validity and type (checked head by head).
NANP_HEAD = 4


@lru_cache(maxsize=1)
def _region_finding_patterns() -> tuple[str, ...]:
    """Every pattern phonenumbers may try to find a +1 number's region: each
    region's leading digits, and the type patterns of a region without any."""
    found: list[str] = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is not None and meta.leading_digits:
            # Matched as a prefix: what follows it is any digits.
            found.append(f"(?:{meta.leading_digits})\\d*")
        else:
            found.extend(_type_patterns(region))
    return tuple(found)


@lru_cache(maxsize=64)
def _type_patterns(region: str) -> tuple[str, ...]:
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None:
        return ("",)  # unreadable: never decided
    descs = (getattr(meta, name, None) for name in _DESCS)
    return tuple(d.national_number_pattern for d in descs if d and d.national_number_pattern)


def _decided_by(pattern: str, head: str) -> bool:
    """Whether ``pattern`` matches every ten-digit number starting with
    ``head`` or none: after reading ``head``, every way on through the
    pattern reads only ``\\d``."""
    if not _reads_past(pattern, len(head)):
        return True  # no way through reads anything but \d past the head
    nfa = _nfa(pattern)
    if nfa is None:
        return False
    states = nfa.closure({0})
    for digit in head:
        states = nfa.closure({t for s in states for chars, t in nfa.moves[s] if digit in chars})
    return not (states & nfa.restricted)


class _Nfa:
    """A pattern over digits as a nondeterministic automaton: state 0 starts;
    ``moves[s]`` are (digits, next state), an empty set of digits being a
    move that reads nothing; ``restricted`` are the states from which some
    way on reads a digit class other than all ten."""

    def __init__(self, items: Any) -> None:
        self.moves: list[list[tuple[frozenset[str], int]]] = [[]]
        self.accept = self._build(items, 0)
        self.restricted = self._restricted()

    def closure(self, states: set[int]) -> set[int]:
        todo, seen = list(states), set(states)
        while todo:
            for chars, t in self.moves[todo.pop()]:
                if not chars and t not in seen:
                    seen.add(t)
                    todo.append(t)
        return seen

    def _new(self) -> int:
        self.moves.append([])
        return len(self.moves) - 1

    def _step(self, start: int, chars: frozenset[str]) -> int:
        end = self._new()
        self.moves[start].append((chars, end))
        return end

    def _build(self, items: Any, start: int) -> int:
        state = start
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                state = self._step(state, _digits_of(frozenset(chr(arg))))
            elif name == "IN":
                state = self._step(state, _class_digits(arg))
            elif name == "SUBPATTERN":
                state = self._build(arg[3], state)
            elif name == "BRANCH":
                end = self._new()
                for branch in arg[1]:
                    self.moves[self._build(branch, state)].append((_NOTHING, end))
                state = end
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                least, most, body = arg
                for _ in range(least):
                    state = self._build(body, state)
                if most == _RE_PARSER.MAXREPEAT:
                    loop = self._new()
                    self.moves[state].append((_NOTHING, loop))
                    self.moves[self._build(body, loop)].append((_NOTHING, loop))
                    state = loop
                else:
                    for _ in range(most - least):
                        end = self._new()
                        self.moves[state].append((_NOTHING, end))
                        self.moves[self._build(body, state)].append((_NOTHING, end))
                        state = end
            else:
                raise _Unreadable(name)
        return state

    def _restricted(self) -> frozenset[int]:
        back: list[list[int]] = [[] for _ in self.moves]
        todo = []
        for s, moves in enumerate(self.moves):
            for chars, t in moves:
                back[t].append(s)
                if chars and chars != _ALL_DIGITS:
                    todo.append(s)
        seen = set(todo)
        while todo:
            for s in back[todo.pop()]:
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return frozenset(seen)


_ALL_DIGITS = frozenset("0123456789")
_NOTHING: frozenset[str] = frozenset()


def _class_digits(arg: Any) -> frozenset[str]:
    """The digits a class ([2-9], \\d, [^0]) matches."""
    chars: set[str] = set()
    negate = False
    for op, value in arg:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            chars.add(chr(value))
        elif name == "RANGE":
            chars.update(chr(c) for c in range(value[0], value[1] + 1))
        elif name == "CATEGORY" and str(value) == "CATEGORY_DIGIT":
            chars.update(_ALL_DIGITS)
        else:
            raise _Unreadable(name)
    return _digits_of(frozenset(_ALL_DIGITS - chars if negate else chars))


def _digits_of(chars: frozenset[str]) -> frozenset[str]:
    """The digits of ``chars`` as a move; none at all is a move no digit takes
    (an empty set would be a move that reads nothing)."""
    return (chars & _ALL_DIGITS) or frozenset("x")


@lru_cache(maxsize=512)
def _nfa(pattern: str) -> _Nfa | None:
    try:
        return _Nfa(_RE_PARSER.parse(pattern)) if pattern else None
    except _Unreadable:
        return None


@lru_cache(maxsize=1)
def _nanp_read_further() -> frozenset[str] | None:
    """The NANP regions whose numbers phonenumbers validates (or types, which
    picks their time zones) by digits past the NANP_PREFIX-th; None if
    finding a number's region already reads further, or time zones are
    listed by longer prefixes, and no number can be answered by its prefix.

    A region is found by its leading-digits pattern where it has one, else
    by its number-type patterns (tried for every number); its own type
    patterns decide validity and type. See _reach for how far a pattern
    reads; one it cannot follow reads further (the shortcut is then off,
    never wrong).
    """
    if max(len(p) for p in TIMEZONE_DATA if p.startswith("1")) > 1 + NANP_PREFIX:
        return None
    further = set()
    for region in _NANP_REGIONS:
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None:
            return None
        if meta.leading_digits and _reads_past(meta.leading_digits, NANP_PREFIX):
            return None
        descs = (getattr(meta, name, None) for name in _DESCS)
        patterns = [d.national_number_pattern for d in descs if d is not None]
        if any(_reads_past(p, NANP_PREFIX) for p in patterns if p):
            if not meta.leading_digits:
                return None
            further.add(region)
    return frozenset(further)


@lru_cache(maxsize=1024)
def _reads_past(pattern: str, digits: int) -> bool:
    """Whether a match of ``pattern`` can depend on a digit past the first ``digits``.

    Where every item but ``\\d`` (a literal digit, a class) ends by that
    offset whichever way the pattern is read, what follows is consumed by
    ``\\d`` alone: any digits there match as any others would.
    """
    try:
        return _reach(_RE_PARSER.parse(pattern), 0)[1] > digits
    except _Unreadable:
        return True


_DESCS = (
    "general_desc",
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)
_RE_PARSER: Any = importlib.import_module("re._parser")  # sre_parse, without its warning
_INFINITE = 1 << 30


class _Unreadable(Exception):
    """A regular-expression construct _reach does not reason about."""


def _reach(items: Any, start: int) -> tuple[int, int]:
    """(the furthest offset a match of ``items`` can end at, the furthest any
    item but ``\\d`` can end at), starting at most at ``start``."""
    end, reach = start, 0
    for op, arg in items:
        name = str(op)
        if name == "IN" and _is_digit_class(arg):
            end += 1
        elif name in ("LITERAL", "IN"):
            end += 1
            reach = end
        elif name == "SUBPATTERN":
            end, inner = _reach(arg[3], end)
            reach = max(reach, inner)
        elif name == "BRANCH":
            ends = [_reach(branch, end) for branch in arg[1]]
            reach = max([reach, *(r for _, r in ends)])
            end = max(e for e, _ in ends)
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            _, most, body = arg
            width, inner = _reach(body, 0)
            if inner == 0:  # only \d inside: any digits, however many
                end = _INFINITE if most == _RE_PARSER.MAXREPEAT else end + width * most
                continue
            if most == _RE_PARSER.MAXREPEAT:
                raise _Unreadable(name)
            for _ in range(most):
                end, inner = _reach(body, end)
                reach = max(reach, inner)
        else:
            raise _Unreadable(name)
    return end, reach


def _is_digit_class(arg: Any) -> bool:
    return [(str(op), str(value)) for op, value in arg] == [("CATEGORY", "CATEGORY_DIGIT")]
