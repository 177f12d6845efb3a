"""An update of a person's wishes changes only what it names."""

from __future__ import annotations

from datetime import time

import dnc


def test_days_after_not_before_keeps_the_hour(service: dnc.Service) -> None:
    service.set_preference("2015550123", not_before="10:00")
    service.set_preference("2015550123", days="mon-fri")
    pref = service.preference("2015550123")
    assert pref is not None
    assert pref.not_before == time(10, 0)
    assert pref.days == frozenset(range(5))
    assert pref.not_after is None


def test_a_named_part_replaces_only_itself(service: dnc.Service) -> None:
    service.set_preference("2015550123", not_before="10:00", not_after="18:00", days="sat,sun")
    service.set_preference("2015550123", not_after="17:30")
    assert service.describe_preference(service.preference("2015550123")) == (  # type: ignore[arg-type]
        "not before 10:00, not after 17:30, only sat,sun"
    )
    audit = [r for r in service.audit_records() if r.action == "preference_set"]
    assert audit[-1].before["text"] == "not before 10:00, not after 18:00, only sat,sun"  # type: ignore[index]
    assert audit[-1].after["text"] == "not before 10:00, not after 17:30, only sat,sun"  # type: ignore[index]
