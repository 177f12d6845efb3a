"""What the library accepts from a caller, checked at the front door.

Every ``Service`` method is ``guarded``: each argument is held, by its
name, to a rule before the use case runs, so bad input is an ``InputError``
(a ``DncError``) naming the argument, never a ``UnicodeEncodeError``, an
``OverflowError`` or a database error half way through a write.

Two kinds of text are told apart:

- identifiers (a number, a campaign, a lead id, a list, a registry, a
  choice): they decide what is written or read, so one that is not clean
  text or is longer than its column is refused before anything happens;
- decoration (a note, a reason, an agent, the actor, evidence, a reply's
  text): it only describes, so it is cleaned (a lone surrogate becomes
  U+FFFD, a NUL or other control character is dropped, an over-long text
  is cut to its column) with a warning, and the request it decorates
  goes ahead. An opt-out is never lost to its note.

A cleaning is reported as an ``InputWarning`` (``warnings.warn``) and, when
the result has a ``warnings`` field, on the result too.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import inspect
import os
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from dnc.errors import InputError, InputWarning

F = TypeVar("F", bound=Callable[..., Any])

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)
"""The instants a caller may name: wide enough for any back-dated opt-out or
far expiry, narrow enough that no offset or day added to them leaves the
calendar (year 1 to 9999)."""

MAX_LIMIT = 1_000_000
"""The most rows a listing or a claim may ask for at once."""

MAX_EXPIRY_DAYS = 36_600
"""The longest relative expiry (``--days``): a hundred years."""

INT32 = (-(2**31), 2**31 - 1)
TEXT_WIDTH = 4000
"""The longest note, reason, evidence or reply text kept; longer is cut."""

NUMBER_WIDTH = 250
"""phonenumbers reads no more than this; a longer "number" is not one."""

# Column widths (dnc/storage/schema.py) of the identifiers a caller names.
WIDTHS: dict[str, int] = {
    "campaign": 100,
    "brand": 100,
    "client": 100,
    "lead_id": 100,
    "location": 64,
    "list_name": len("campaign:") + 100,
    "registry": 63,
    "owner": 200,
    "prefix": 40,
    "job": 63,
    "scope": 20,
    "channel": 20,
    "outcome": 20,
    "kind": 20,
    "status": 20,
    "trigger": 20,
    "format": 20,
    "language": 35,
    "not_before": 20,
    "not_after": 20,
    "days": 60,
    "number": NUMBER_WIDTH,
    "name": 100,
    "key": 200,
}
DECORATION_WIDTHS: dict[str, int] = {
    "note": TEXT_WIDTH,
    "reason": TEXT_WIDTH,
    "evidence": TEXT_WIDTH,
    "text": TEXT_WIDTH,
    "agent": 200,
    "actor": 200,
}

Rule = Callable[[Any, str, Mapping[str, Any]], tuple[Any, str | None]]
"""A rule takes (value, argument name, every argument) and returns the value to
use and a warning (None when the value was used as given)."""


# -- text --------------------------------------------------------------------------


def _preview(value: str, width: int = 40) -> str:
    return repr(value) if len(value) <= width else repr(value[:width]) + "..."


def text_problem(value: str) -> str | None:
    """Why ``value`` is not clean text, or None: a lone surrogate, a NUL or
    another control character (tab aside)."""
    if value.isascii():
        if value.isprintable():
            return None
    else:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"a lone surrogate ({value[exc.start]!r}) at character {exc.start + 1}"
    for i, ch in enumerate(value):
        if ch == "\x00":
            return f"a NUL byte at character {i + 1}"
        if unicodedata.category(ch) == "Cc" and ch != "\t":
            return f"a control character ({ch!r}) at character {i + 1}"
    return None


def identifier(value: Any, name: str, width: int | None = None) -> str:
    """``value`` if it is clean text no longer than its column; InputError otherwise."""
    if not isinstance(value, str):
        raise InputError(f"{name} must be text, not {type(value).__name__}")
    limit = WIDTHS.get(name, 200) if width is None else width
    if len(value) > limit:
        raise InputError(
            f"{name} is {len(value)} characters long, longer than {limit}: {_preview(value)}"
        )
    problem = text_problem(value)
    if problem:
        raise InputError(f"{name} {_preview(value)} contains {problem}")
    return value


def clean_text(value: str, width: int) -> str:
    """``value`` with lone surrogates replaced (U+FFFD), control characters but
    tabs and line breaks dropped, and cut to ``width`` characters."""
    text = "".join(_clean_char(ch) for ch in value) if text_problem(value) else value
    return text[:width]


def _clean_char(ch: str) -> str:
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"
    if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc":
        return ""
    return ch


def decoration(value: Any, name: str, width: int | None = None) -> tuple[str, str | None]:
    """``value`` cleaned (see ``clean_text``) and a warning when it had to be."""
    if not isinstance(value, str):
        value = str(value)
    limit = DECORATION_WIDTHS.get(name, TEXT_WIDTH) if width is None else width
    cleaned = clean_text(value, limit)
    if cleaned == value:
        return value, None
    why = []
    if len(value) > limit:
        why.append(f"cut from {len(value)} to {limit} characters")
    if text_problem(value[:limit]):
        why.append("unprintable characters replaced or dropped")
    return cleaned, f"{name} cleaned ({'; '.join(why) or 'not clean text'}); the rest was kept"


# -- numbers and times -----------------------------------------------------------------


def integer(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}, not {_preview(str(value))}")
    return value


def limit(value: Any, name: str = "limit") -> int:
    """A count of rows asked for: 1 to MAX_LIMIT."""
    return integer(value, name, 1, MAX_LIMIT)


def days(value: Any, name: str = "--days") -> timedelta:
    """A relative expiry in whole days: 1 to MAX_EXPIRY_DAYS."""
    return timedelta(days=integer(value, name, 1, MAX_EXPIRY_DAYS))


def instant(value: Any, name: str) -> datetime:
    """An aware datetime between EARLIEST and LATEST."""
    if not isinstance(value, datetime):
        raise InputError(f"{name} must be a datetime, not {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must be timezone-aware, got {value.isoformat()}")
    if not EARLIEST <= value < LATEST:
        raise InputError(f"{name} {value.isoformat()} is outside {_range()}")
    return value


def day(value: Any, name: str) -> date:
    """A calendar day between EARLIEST and LATEST."""
    if isinstance(value, datetime):
        return instant(value, name).date()
    if not isinstance(value, date):
        raise InputError(f"{name} must be a date, not {value!r}")
    if not EARLIEST.date() <= value < LATEST.date():
        raise InputError(f"{name} {value.isoformat()} is outside {_range()}")
    return value


def _range() -> str:
    return f"the supported range {EARLIEST.date()} to {(LATEST - timedelta(days=1)).date()}"


def path(value: Any, name: str = "path") -> Any:
    if not isinstance(value, str | os.PathLike):
        raise InputError(f"{name} must be a file path, not {type(value).__name__}")
    if "\x00" in os.fspath(value):
        raise InputError(f"{name} {_preview(str(value))} contains a NUL byte")
    return value


# -- rules by argument name --------------------------------------------------------


def _identifier(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    return identifier(value, name), None


def _decoration(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    return decoration(value, name)


def _instant(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    return instant(value, name), None


def _moment(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    """A date or an aware datetime (``since`` and ``until`` take either)."""
    if isinstance(value, datetime):
        return instant(value, name), None
    return day(value, name), None


def _encoding(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    """A text encoding Python knows (``--encoding``)."""
    identifier(value, name, 40)
    try:
        codecs.lookup(value)
    except LookupError:
        raise InputError(f"unknown encoding {value!r} (e.g. utf-8, utf-16, latin-1)") from None
    return value, None


def _limit(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    return limit(value, name), None


def _int32(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    return integer(value, name, *INT32), None


def _flag(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    if not isinstance(value, bool):
        raise InputError(f"{name} must be true or false, not {value!r}")
    return value, None


def _path(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    return path(value, name), None


def as_given(value: Any, _name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    """For arguments the use case reads itself (streams, callbacks, number lists)."""
    return value, None


def number_for_check(value: Any, name: str, _args: Mapping[str, Any]) -> tuple[Any, str | None]:
    """A check answers INVALID_NUMBER for any text it cannot read (it never raises
    for a number); only a value that is not text at all is refused."""
    if not isinstance(value, str):
        raise InputError(f"{name} must be text, not {type(value).__name__}")
    return value, None


def scoping_campaign(value: Any, name: str, args: Mapping[str, Any]) -> tuple[Any, str | None]:
    """An opt-out's campaign decides its list when ``scope`` is campaign or
    client: then it is refused when unusable, before anything is written;
    otherwise an unusable one is dropped with a warning (a default scope that
    lacks its campaign falls back to a wider list, never a narrower one)."""
    if args.get("scope") in ("campaign", "client"):
        return identifier(value, name), None
    try:
        return identifier(value, name), None
    except InputError as exc:
        return None, f"{exc}; ignored, the opt-out does not name a campaign"


def reply_campaign(value: Any, name: str, args: Mapping[str, Any]) -> tuple[Any, str | None]:
    """A reply's campaign is where it came from, not what it asks: the reply
    may be an opt-out, so an unusable campaign is cleaned with a warning (or,
    blank after cleaning, dropped) rather than refusing the reply."""
    try:
        return identifier(value, name), None
    except InputError as exc:
        cleaned, _ = decoration(value, name, WIDTHS["campaign"])
        return cleaned.strip() or None, f"{exc}; cleaned, the reply was recorded"


NO_CAMPAIGN = "(no campaign)"
"""The campaign an opt-out outcome is recorded under when the one given is blank."""


def outcome_campaign(value: Any, name: str, args: Mapping[str, Any]) -> tuple[Any, str | None]:
    """An outcome's campaign, refused when unusable, except on an opt-out: the
    opt-out is company-wide, so it is recorded under the campaign cleaned (or,
    blank, under NO_CAMPAIGN)."""
    if args.get("outcome") != "opt_out":
        return identifier(value, name), None
    try:
        identifier(value, name)
        if isinstance(value, str) and value.strip():
            return value, None
    except InputError:
        pass
    cleaned, _ = decoration(value, name, WIDTHS["campaign"])
    if not cleaned.strip():
        cleaned = NO_CAMPAIGN
    return cleaned, f"campaign cleaned to {_preview(cleaned)}; the opt-out was recorded"


RULES: dict[str, Rule] = {
    **dict.fromkeys(WIDTHS, _identifier),
    **dict.fromkeys(DECORATION_WIDTHS, _decoration),
    **dict.fromkeys(("at", "expires_at", "callback_at"), _instant),
    **dict.fromkeys(("since", "until", "as_of"), _moment),
    "limit": _limit,
    "encoding": _encoding,
    "priority": _int32,
    "refusals": _int32,
    "path": _path,
    **dict.fromkeys(
        (
            "include_removed",
            "include_revoked",
            "skip_invalid",
            "changes",
            "allow_shrink",
            "dry_run",
            "everything",
            "use_anchor",
            "reconcile",
        ),
        _flag,
    ),
    **dict.fromkeys(("out", "progress", "numbers", "leads", "scopes"), as_given),
}


def guarded(**overrides: Rule) -> Callable[[F], F]:
    """Hold every argument of a ``Service`` method to its rule (``RULES`` by
    name, or an override) before the call. A method with an argument no rule
    names fails at import: a new argument must say how it is checked."""

    def decorate(func: F) -> F:
        names = [n for n in inspect.signature(func).parameters if n != "self"]
        rules = {n: overrides.get(n) or RULES.get(n) for n in names}
        unknown = sorted(n for n, r in rules.items() if r is None)
        if unknown:
            raise TypeError(f"{func.__qualname__}: no input rule for {', '.join(unknown)}")
        checked: dict[str, Rule] = {n: r for n, r in rules.items() if r is not None}
        positional = tuple(names)

        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            values = dict(zip(positional, args, strict=False))
            values.update(kwargs)
            notes: list[str] = []
            for name, value in values.items():
                rule = checked.get(name)
                if rule is None or value is None:
                    continue
                used, note = rule(value, name, values)
                if note is not None:
                    values[name] = used
                    notes.append(note)
            result = func(self, **values)
            if notes:
                for note in notes:
                    warnings.warn(InputWarning(note), stacklevel=2)
                result = with_warnings(result, notes)
            return result

        wrapper.__dnc_guarded__ = True  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def with_warnings(result: Any, notes: list[str]) -> Any:
    """``result`` carrying ``notes`` when it has a ``warnings`` field."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        if any(f.name == "warnings" for f in dataclasses.fields(result)):
            before: tuple[str, ...] = getattr(result, "warnings", ())
            return dataclasses.replace(result, warnings=(*before, *notes))
    return result
