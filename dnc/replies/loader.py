"""Reading config/intents/*.toml (and a company's own phrase files), validated at load.

Every mistake is a ConfigError naming the file and the dotted key, so a bad
rule stops start-up instead of silently missing opt-outs. The file shape is
documented in docs/replies.md. Packaged files come first, in the order of
``LANGUAGE_ORDER``; extra files add rules to a language already known or
bring a new one (then they must name its stemmer).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from datetime import time
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NoReturn

from dnc.errors import ConfigError
from dnc.replies.analyser import STEMMERS, Analyser
from dnc.replies.callback import WEEKDAY_NAMES
from dnc.replies.model import Intent
from dnc.replies.patterns import CAPTURES, Anchors, PatternError, compile_pattern, compile_rule
from dnc.replies.rules import (
    CLOCK_KINDS,
    ClockHint,
    DayHint,
    DelayHint,
    Hints,
    LanguageRules,
    PartHint,
    ReplyRules,
    Rule,
)

SCHEMA_VERSION = 1
LANGUAGE_ORDER = ("en", "de", "et", "lt", "ru")

_TOP = {"schema_version", "language", "name", "stemmer", "transliterate", "script", "source"}
_TOP |= {"rules", "hints"}
_RULE = {"id", "intent", "description", "patterns", "per_se", "masks", "standing"}
_RULE |= {"reply_wide", "examples", "counter_examples", "source"}
_HINTS = {"days", "parts", "clocks", "delays"}
_CODE = re.compile(r"[a-z]{2}")
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")

Source = str | Path | Traversable


class _File:
    """One file being read: raises ConfigError with its name and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str | None, why: str) -> NoReturn:
        raise ConfigError(self.source, key, why)

    def keys(self, table: dict[str, Any], key: str, allowed: set[str], required: set[str]) -> None:
        for name in table:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                self.fail(where, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for name in sorted(required - table.keys()):
            self.fail(f"{key}.{name}" if key else name, "is required")

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
        return value.strip()

    def texts(self, value: Any, key: str, *, empty: bool = False) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "must be a list of non-empty strings")
        if not value and not empty:
            self.fail(key, "must not be empty")
        return tuple(value)

    def flag(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return value

    def tables(self, value: Any, key: str) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(key, f"must be an array of tables ([[{key}]])")
        return value

    def clock(self, value: Any, key: str) -> time:
        m = _CLOCK.fullmatch(value) if isinstance(value, str) else None
        if m is None:
            self.fail(key, 'must be a time of day "HH:MM"')
        return time(int(m.group(1)), int(m.group(2)))

    def compile(
        self,
        patterns: tuple[str, ...],
        key: str,
        analyser: Analyser,
        stems: set[str] | None = None,
        forms: set[str] | None = None,
    ) -> tuple[re.Pattern[str], Anchors | None]:
        """One regex for all ``patterns`` and their anchors (None: run it on every reply)."""
        bodies = []
        anchors: list[Anchors | None] = []
        for i, pattern in enumerate(patterns):
            try:
                compiled = compile_pattern(pattern, analyser)
            except PatternError as exc:
                self.fail(f"{key}[{i}]", f"pattern {pattern!r}: {exc}")
            bodies.append(compiled.regex)
            anchors.append(compiled.anchors)
            if stems is not None and forms is not None:
                stems.update(compiled.stems)
                forms.update(compiled.forms)
        return compile_rule(bodies), Anchors.union(anchors)


def load_reply_rules(extra: Iterable[Source] = ()) -> ReplyRules:
    """The packaged rules plus ``extra`` files or directories of ``*.toml`` files."""
    entries = list(_packaged())
    for item in extra:
        entry: Path | Traversable = Path(item) if isinstance(item, str) else item
        if entry.is_dir():
            entries.extend(
                sorted((e for e in entry.iterdir() if e.name.endswith(".toml")), key=_name)
            )
        elif entry.is_file():
            entries.append(entry)
        else:
            raise ConfigError(_describe(entry), None, "is neither a file nor a directory")
    return build_reply_rules(_decode(e) for e in entries)


@cache
def default_reply_rules() -> ReplyRules:
    """The packaged rules, loaded once (the data never changes while running)."""
    return load_reply_rules()


def build_reply_rules(files: Iterable[tuple[str, dict[str, Any]]]) -> ReplyRules:
    """Rules from decoded files ``(source, data)``, in order; languages sorted as known."""
    languages: dict[str, LanguageRules] = {}
    pending: dict[str, list[tuple[_File, dict[str, Any]]]] = {}
    for source, data in files:
        f = _File(source)
        f.keys(data, "", _TOP, {"schema_version", "language"})
        if type(data["schema_version"]) is not int or data["schema_version"] != SCHEMA_VERSION:
            f.fail("schema_version", f"must be {SCHEMA_VERSION}")
        code = f.text(data["language"], "language")
        if not _CODE.fullmatch(code):
            f.fail("language", "must be a lower-case ISO 639-1 code such as en")
        if code not in languages:
            languages[code] = _language(f, data, code)
        elif {"stemmer", "transliterate", "script"} & data.keys():
            f.fail("stemmer", f"language {code!r} is already defined; add rules only")
        languages[code].sources.append(source)
        pending.setdefault(code, []).append((f, data))
    seen: set[str] = set()
    for code, items in pending.items():
        language = languages[code]
        stems: set[str] = set()
        forms: set[str] = set()
        for f, data in items:
            for i, table in enumerate(f.tables(data.get("rules", []), "rules")):
                rule = _rule(f, table, f"rules[{i}]", language, stems, forms)
                if rule.id in seen:
                    f.fail(f"rules[{i}].id", f"{rule.id!r} is used twice")
                seen.add(rule.id)
                language.rules.append(rule)
            if "hints" in data:
                language.hints = _hints(f, data["hints"], language.analyser, language.hints)
        language.analyser.know(forms, stems)
        language.index()
    order = {c: i for i, c in enumerate(LANGUAGE_ORDER)}
    ordered = sorted(languages, key=lambda c: (order.get(c, len(order)), c))
    return ReplyRules({c: languages[c] for c in ordered})


def _language(f: _File, data: dict[str, Any], code: str) -> LanguageRules:
    f.keys(data, "", _TOP, {"schema_version", "language", "name", "stemmer"})
    stemmer = f.text(data["stemmer"], "stemmer")
    if stemmer != "none" and stemmer not in STEMMERS:
        f.fail("stemmer", f'{stemmer!r} is not a Snowball stemmer here (or write "none")')
    transliterate = f.flag(data.get("transliterate", False), "transliterate")
    script = data.get("script", "latin")
    if script not in ("latin", "cyrillic"):
        f.fail("script", 'must be "latin" or "cyrillic"')
    analyser = Analyser(None if stemmer == "none" else stemmer, transliterate)
    return LanguageRules(code, f.text(data["name"], "name"), script, analyser)


def _rule(
    f: _File,
    table: dict[str, Any],
    key: str,
    language: LanguageRules,
    stems: set[str],
    forms: set[str],
) -> Rule:
    f.keys(table, key, _RULE, {"id", "intent", "description", "patterns", "examples"})
    ident = f.text(table["id"], f"{key}.id")
    if not _ID.fullmatch(ident):
        f.fail(f"{key}.id", "must be lower-case letters, digits, '.', '_' or '-'")
    try:
        intent = Intent(table["intent"])
    except ValueError:
        f.fail(f"{key}.intent", f"must be one of {', '.join(i.value for i in Intent)}")
    patterns = f.texts(table["patterns"], f"{key}.patterns")
    for i, pattern in enumerate(patterns):
        if any(f"<{name}>" in pattern for name in CAPTURES):
            f.fail(f"{key}.patterns[{i}]", "captures (<n>, <time>) belong in hints")
    regex, anchors = f.compile(patterns, f"{key}.patterns", language.analyser, stems, forms)
    masks_raw = f.texts(table.get("masks", []), f"{key}.masks", empty=True)
    if not set(masks_raw) <= {i.value for i in Intent}:
        f.fail(f"{key}.masks", "must list intents")
    masks = frozenset(Intent(m) for m in masks_raw)
    if intent is Intent.NONE and "masks" not in table:
        masks = frozenset(i for i in Intent if i is not Intent.NONE)
    per_se = f.flag(table.get("per_se", False), f"{key}.per_se")
    if per_se and intent is not Intent.OPT_OUT:
        # Reports count a per-se reply as an opt-out that arrived by keyword.
        f.fail(f"{key}.per_se", "only an opt_out rule can be a per-se keyword")
    reply_wide = f.flag(table.get("reply_wide", False), f"{key}.reply_wide")
    if reply_wide and not masks:
        f.fail(f"{key}.reply_wide", "needs masks: the intents set aside in the whole reply")
    return Rule(
        id=ident,
        language=language.code,
        intent=intent,
        description=f.text(table["description"], f"{key}.description"),
        patterns=patterns,
        regex=regex,
        anchors=anchors,
        per_se=per_se,
        masks=masks,
        standing=f.flag(table.get("standing", False), f"{key}.standing"),
        reply_wide=reply_wide,
        examples=f.texts(table["examples"], f"{key}.examples"),
        counter_examples=f.texts(
            table.get("counter_examples", []), f"{key}.counter_examples", empty=True
        ),
        source=f.source,
    )


def _hints(f: _File, data: Any, analyser: Analyser, base: Hints) -> Hints:
    if not isinstance(data, dict):
        f.fail("hints", "must be a table")
    f.keys(data, "hints", _HINTS, set())
    return Hints(
        base.days + tuple(_days(f, data.get("days", []), analyser)),
        base.parts + tuple(_parts(f, data.get("parts", []), analyser)),
        base.clocks + tuple(_clocks(f, data.get("clocks", []), analyser)),
        base.delays + tuple(_delays(f, data.get("delays", []), analyser)),
    )


def _days(f: _File, value: Any, analyser: Analyser) -> list[DayHint]:
    found = []
    for i, t in enumerate(f.tables(value, "hints.days")):
        key = f"hints.days[{i}]"
        f.keys(t, key, {"offset", "weekday", "ignore", "patterns"}, {"patterns"})
        regex, _ = f.compile(f.texts(t["patterns"], f"{key}.patterns"), f"{key}.patterns", analyser)
        if len({"offset", "weekday", "ignore"} & t.keys()) != 1:
            f.fail(key, "give one of offset (days from today), weekday (mon..sun) or ignore")
        if "ignore" in t:
            if t["ignore"] is not True:
                f.fail(f"{key}.ignore", "must be true (words that look like a day but are not)")
            found.append(DayHint(regex))
        elif "offset" in t:
            if type(t["offset"]) is not int or not 0 <= t["offset"] <= 31:
                f.fail(f"{key}.offset", "must be a whole number of days, 0 to 31")
            found.append(DayHint(regex, offset=t["offset"]))
        elif t["weekday"] in WEEKDAY_NAMES:
            found.append(DayHint(regex, weekday=WEEKDAY_NAMES.index(t["weekday"])))
        else:
            f.fail(f"{key}.weekday", f"must be one of {', '.join(WEEKDAY_NAMES)}")
    return found


def _parts(f: _File, value: Any, analyser: Analyser) -> list[PartHint]:
    found = []
    for i, t in enumerate(f.tables(value, "hints.parts")):
        key = f"hints.parts[{i}]"
        f.keys(t, key, {"window", "pm", "patterns"}, {"window", "patterns"})
        if not isinstance(t["window"], list) or len(t["window"]) != 2:
            f.fail(f"{key}.window", 'must be ["HH:MM", "HH:MM"]')
        start, end = (f.clock(v, f"{key}.window") for v in t["window"])
        regex, _ = f.compile(f.texts(t["patterns"], f"{key}.patterns"), f"{key}.patterns", analyser)
        found.append(PartHint(regex, (start, end), f.flag(t.get("pm", False), f"{key}.pm")))
    return found


def _clocks(f: _File, value: Any, analyser: Analyser) -> list[ClockHint]:
    found = []
    for i, t in enumerate(f.tables(value, "hints.clocks")):
        key = f"hints.clocks[{i}]"
        f.keys(t, key, {"kind", "pm", "am", "patterns"}, {"kind", "patterns"})
        if t["kind"] not in CLOCK_KINDS:
            f.fail(f"{key}.kind", f"must be one of {', '.join(CLOCK_KINDS)}")
        pm, am = f.flag(t.get("pm", False), f"{key}.pm"), f.flag(t.get("am", False), f"{key}.am")
        for j, pattern in enumerate(f.texts(t["patterns"], f"{key}.patterns")):
            where = f"{key}.patterns[{j}]"
            if "<time>" not in pattern or (t["kind"] == "window") != ("<time2>" in pattern):
                f.fail(where, "needs <time>, and <time2> too for a window only")
            # One regex per pattern: a capture name may appear once per regex.
            regex, _ = f.compile((pattern,), where, analyser)
            found.append(ClockHint(regex, t["kind"], pm, am))
    return found


def _delays(f: _File, value: Any, analyser: Analyser) -> list[DelayHint]:
    found = []
    for i, t in enumerate(f.tables(value, "hints.delays")):
        key = f"hints.delays[{i}]"
        f.keys(t, key, {"minutes", "patterns"}, {"minutes", "patterns"})
        if type(t["minutes"]) is not int or not 1 <= t["minutes"] <= 60 * 24 * 31:
            f.fail(f"{key}.minutes", "must be a whole number of minutes, at most 31 days")
        for j, pattern in enumerate(f.texts(t["patterns"], f"{key}.patterns")):
            regex, _ = f.compile((pattern,), f"{key}.patterns[{j}]", analyser)
            found.append(DelayHint(regex, t["minutes"]))
    return found


def _packaged() -> list[Traversable]:
    folder = resources.files("dnc.config") / "intents"
    return sorted((e for e in folder.iterdir() if e.name.endswith(".toml")), key=_name)


def _name(entry: Path | Traversable) -> str:
    return entry.name


def _decode(entry: Path | Traversable) -> tuple[str, dict[str, Any]]:
    source = _describe(entry)
    try:
        return source, tomllib.loads(entry.read_bytes().decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(source, None, f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(source, None, f"cannot be read: {exc.strerror or exc}") from None


def _describe(entry: Path | Traversable) -> str:
    try:
        return str(entry)
    except TypeError:  # a zipfile.Path into an in-memory archive has no file name
        return entry.name
