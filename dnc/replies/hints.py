"""A callback request's time words → a CallbackHint. Pure.

Runs the language's hint tables (config/intents/<lang>.toml ``[hints]``)
over the reply as rendered for its rules. Only what was said is kept: a
day, a weekday, a clock time and how it bounds the call, a part of the day,
a delay. Of several day words the longest phrase, then the latest day, wins.

Hours people write without a.m./p.m.: 1 to 7 o'clock in a one-off callback
("call me at 3", "call before 5") and 1 to 11 in a standing "not after"
("don't call after 9") are read as afternoon or evening, a standing "not
before" as written ("don't call before 8"), because a call centre's day
runs about 8 to 21;
the 24-hour habit of the other languages ("kell 15", "um 15 Uhr") needs no
reading. A part of the day marked ``pm`` ("in the evening at 7") and clock
patterns marked ``pm``/``am`` ("6 pm", "в 7 вечера") say it outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from dnc.replies.callback import CallbackHint
from dnc.replies.patterns import scan
from dnc.replies.rules import DayHint, Hints


@dataclass(slots=True)
class _Clock:
    position: int
    kind: str
    hour: int
    minute: int
    pm: bool
    am: bool
    second: time | None = None


def extract_hint(hints: Hints, line: str, standing: bool) -> CallbackHint:
    """What ``line`` (a reply rendered for one language) says about when to call."""
    offset, weekday = _day(hints, line)
    part = next((p for p in hints.parts if p.regex.search(line)), None)
    delay, taken = _delay(hints, line)
    clocks = [c for c in _clocks(hints, line) if not any(a <= c.position < b for a, b in taken)]
    bounds = _bounds(clocks, part is not None and part.pm, standing)
    window = bounds.window or (part.window if part else None)
    not_before, not_after = bounds.not_before, bounds.not_after
    if standing and window and not_before is None and not_after is None:
        not_before, not_after = window
    return CallbackHint(
        day_offset=offset,
        weekday=weekday,
        at=bounds.at,
        not_before=not_before,
        not_after=not_after,
        window=window,
        in_minutes=delay,
        standing=standing,
    )


def _day(hints: Hints, line: str) -> tuple[int | None, int | None]:
    """The day named: the longest day phrase wins ("heute Morgen" over "Morgen", "the
    day after tomorrow" over "tomorrow"), then the latest day ("not today, tomorrow")."""
    found: list[tuple[int, int, DayHint]] = []
    for day in hints.days:
        for m in scan(day.regex, line):
            found.append((m.group().count(" "), day.offset if day.offset is not None else -1, day))
    offsets = [f for f in found if f[2].weekday is None]
    best = max(offsets, key=lambda f: (f[0], f[1]), default=None)
    weekday = next((f[2].weekday for f in found if f[2].weekday is not None), None)
    return (best[2].offset if best else None), weekday


def _delay(hints: Hints, line: str) -> tuple[int | None, list[tuple[int, int]]]:
    """The delay asked for ("in 20 minutes") and the spans of every delay phrase.

    The longest phrase wins ("poole tunni pärast" over "tunni pärast"). A
    number inside a delay is not a clock time: "po 20 minučių" is in 20
    minutes, not after 20:00.
    """
    best: tuple[int, int] | None = None
    spans = []
    for hint in hints.delays:
        for m in scan(hint.regex, line):
            spans.append(m.span())
            count = int(m.group("n")) if "n" in m.re.groupindex and m.group("n") else 1
            length = m.group().count(" ")
            if best is None or length > best[0]:
                best = (length, hint.minutes * count)
    return (best[1] if best else None), spans


def _clocks(hints: Hints, line: str) -> list[_Clock]:
    """Every clock time the patterns find, one per position: a bounding kind
    beats ``at``, and the times inside a window ("between 2 and 4") are the
    window's alone (their p.m./a.m. marks go with it)."""
    found: dict[int, _Clock] = {}
    windows: list[tuple[int, int, int]] = []
    for hint in hints.clocks:
        for m in scan(hint.regex, line):
            parsed = _parse(m.group("time"))
            if parsed is None:
                continue
            second = None
            if hint.kind == "window":
                until = _parse(m.group("time2"))
                if until is None:
                    continue
                second = time(*until)
                windows.append((m.start("time"), m.start("time"), m.end("time2")))
            clock = _Clock(m.start("time"), hint.kind, *parsed, hint.pm, hint.am, second)
            known = found.get(clock.position)
            if known is None:
                found[clock.position] = clock
                continue
            if known.kind == "at" and clock.kind != "at":
                known.kind, known.second = clock.kind, clock.second
            known.pm, known.am = known.pm or clock.pm, known.am or clock.am
    for key, start, end in windows:
        window = found[key]
        for position in [p for p in found if start < p < end]:
            inner = found.pop(position)
            window.pm, window.am = window.pm or inner.pm, window.am or inner.am
    return [found[p] for p in sorted(found)]


@dataclass(slots=True)
class _Bounds:
    at: time | None = None
    not_before: time | None = None
    not_after: time | None = None
    window: tuple[time, time] | None = None


def _bounds(clocks: list[_Clock], part_pm: bool, standing: bool) -> _Bounds:
    """The first clock time of each kind, read as a time of day."""
    bounds = _Bounds()
    for clock in clocks:
        start = _reading(clock.hour, clock.minute, clock, part_pm, standing)
        if clock.kind == "window":
            if clock.second is None or bounds.window is not None:
                continue
            end = _reading(clock.second.hour, clock.second.minute, clock, part_pm, standing)
            if start < end:
                bounds.window = (start, end)
        elif getattr(bounds, clock.kind) is None:
            setattr(bounds, clock.kind, start)
    return bounds


def _reading(hour: int, minute: int, clock: _Clock, part_pm: bool, standing: bool) -> time:
    if clock.am or hour == 0 or hour >= 12:
        return time(hour % 24 if not (clock.am and hour == 12) else 0, minute)
    later = clock.pm or part_pm or hour <= 7
    if clock.kind == "not_after" and standing:
        later = later or hour <= 11  # "don't call after 9" is 21:00
    elif standing:
        later = clock.pm or part_pm  # "don't call before 8" is 08:00
    return time(hour + 12 if later else hour, minute)


_CLOCK_TEXT = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?")


def _parse(text: str | None) -> tuple[int, int] | None:
    m = _CLOCK_TEXT.fullmatch(text or "")
    if m is None:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    return hour % 24, minute
