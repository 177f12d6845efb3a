"""Reassigned numbers (FCC Reassigned Numbers Database, 47 CFR 64.1200(m)),
through the service on both databases: a consent or business relationship
belongs to the person who gave it, so one given before the number's
permanent disconnect no longer clears a call to whoever has it now."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import BadLineError, InputError, ReasonCode, configuration

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the test clock; 10:00 in New Jersey
TODAY = NOW.date()
LISTED = "+12012032988"  # on the FTC sample
UNLISTED = "+12017770126"
GERMAN = "+493012345117"  # prior consent required

# A German reassigned-numbers source too, to see CONSENT_REQUIRED come back.
CONFIG = "".join(
    f"[registries.{name}]\nrequired = false\n" for name in ("ca-dncl", "uk-tps", "au-dncr")
) + (
    '[registries.de-reassigned]\nregions = ["DE"]\nplan = ["DE"]\nformat = "reassigned"\n'
    "required = false\n"
    # Dialled by hand: the wireless rule (dnc.wireless) is not what is tested here.
    '[campaigns.default.calling]\ncall_type = "manual"\n'
)


@pytest.fixture
def svc(db_url: str, tmp_path: Path, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    path = tmp_path / "dnc.toml"
    path.write_text(CONFIG)
    with dnc.open(db_url, configuration.load(path), clock=clock, create=True) as service:
        service.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=NOW.date())
        yield service


def disconnects(tmp_path: Path, *rows: str, name: str = "disconnects.csv") -> Path:
    path = tmp_path / name
    path.write_text("number,disconnected_on\n" + "".join(f"{r}\n" for r in rows))
    return path


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def codes(verdict: dnc.Verdict) -> list[str]:
    return [r.code.value for r in verdict.reasons]


def test_a_consent_given_before_the_disconnect_no_longer_lifts_the_registry(
    svc: dnc.Service, tmp_path: Path
) -> None:
    svc.add_consent(LISTED, "express_written", campaign="spring", at=days_ago(30))
    assert svc.check(LISTED, campaign="spring").allowed

    svc.import_registry(disconnects(tmp_path, f"{LISTED},2026-11-10"), "us-reassigned", as_of=TODAY)

    verdict = svc.check(LISTED, campaign="spring")
    assert codes(verdict) == ["DNC_REGISTRY", "REASSIGNED"]
    detail = verdict.reasons[1].detail
    assert "permanent disconnect on 2026-11-10" in detail and "64.1200(m)" in detail
    assert verdict.next_allowed_at is None


def test_an_ebr_from_the_previous_subscriber_no_longer_counts_either(
    svc: dnc.Service, tmp_path: Path
) -> None:
    svc.add_consent(LISTED, "ebr_purchase", campaign="spring", at=days_ago(30))
    svc.import_registry(disconnects(tmp_path, f"{LISTED},2026-11-10"), "us-reassigned", as_of=TODAY)
    assert codes(svc.check(LISTED, campaign="spring")) == ["DNC_REGISTRY", "REASSIGNED"]


def test_a_consent_given_on_the_day_of_the_disconnect_was_the_old_subscribers(
    svc: dnc.Service, tmp_path: Path
) -> None:
    # A number ages at least 45 days before anyone else gets it (47 CFR 52.15(f)(1)(ii)).
    svc.add_consent(LISTED, "express_written", campaign="spring", at=days_ago(13))
    svc.import_registry(disconnects(tmp_path, f"{LISTED},2026-11-10"), "us-reassigned", as_of=TODAY)
    assert codes(svc.check(LISTED, campaign="spring")) == ["DNC_REGISTRY", "REASSIGNED"]


def test_the_new_subscribers_own_consent_counts(svc: dnc.Service, tmp_path: Path) -> None:
    svc.import_registry(disconnects(tmp_path, f"{LISTED},2026-10-01"), "us-reassigned", as_of=TODAY)
    svc.add_consent(LISTED, "express_written", campaign="spring", at=days_ago(5))
    assert svc.check(LISTED, campaign="spring").allowed


def test_a_check_before_the_disconnect_still_relies_on_the_consent(
    svc: dnc.Service, tmp_path: Path
) -> None:
    svc.add_consent(LISTED, "express_written", campaign="spring", at=days_ago(30))
    svc.import_registry(disconnects(tmp_path, f"{LISTED},2026-11-10"), "us-reassigned", as_of=TODAY)
    assert svc.check(LISTED, campaign="spring", at=datetime(2026, 11, 9, 15, tzinfo=UTC)).allowed


def test_a_reassignment_alone_never_refuses_a_call(svc: dnc.Service, tmp_path: Path) -> None:
    """Nothing needed the consent: the call is allowed, and no REASSIGNED is said."""
    svc.add_consent(UNLISTED, "express", campaign="spring", at=days_ago(30))
    svc.import_registry(
        disconnects(tmp_path, f"{UNLISTED},2026-11-10"), "us-reassigned", as_of=TODAY
    )
    assert svc.check(UNLISTED, campaign="spring").allowed


def test_a_consent_required_by_law_is_required_again(svc: dnc.Service, tmp_path: Path) -> None:
    svc.add_consent(GERMAN, "express_written", campaign="spring", at=days_ago(30))
    at = datetime(2026, 11, 23, 10, tzinfo=UTC)  # 11:00 in Berlin, a Monday
    assert svc.check(GERMAN, campaign="spring", at=at).allowed
    svc.import_registry(disconnects(tmp_path, f"{GERMAN},2026-11-10"), "de-reassigned", as_of=TODAY)
    assert codes(svc.check(GERMAN, campaign="spring", at=at)) == [
        "CONSENT_REQUIRED",
        "REASSIGNED",
    ]


def test_the_batch_check_and_next_calls_agree(svc: dnc.Service, tmp_path: Path) -> None:
    svc.add_consent(LISTED, "express_written", campaign="spring", at=days_ago(30))
    svc.add_consent(UNLISTED, "express_written", campaign="spring", at=days_ago(30))
    svc.import_registry(
        disconnects(tmp_path, f"{LISTED},2026-11-10", f"{UNLISTED},2026-11-10"),
        "us-reassigned",
        as_of=TODAY,
    )
    single = [svc.check(n, campaign="spring") for n in (LISTED, UNLISTED)]
    assert svc.check_many([LISTED, UNLISTED], campaign="spring") == single
    svc.enqueue("spring", LISTED)
    svc.enqueue("spring", UNLISTED)
    assert [e.number for e in svc.next_calls("spring", 10)] == [UNLISTED]
    [entry] = svc.queue("spring", number=LISTED)
    assert [r.code for r in entry.reasons] == [ReasonCode.DNC_REGISTRY, ReasonCode.REASSIGNED]


def test_history_shows_the_disconnect(svc: dnc.Service, tmp_path: Path) -> None:
    svc.import_registry(disconnects(tmp_path, f"{LISTED},2026-11-10"), "us-reassigned", as_of=TODAY)
    [event] = [e for e in svc.timeline(LISTED) if e.kind == "number_disconnected"]
    assert event.at == datetime(2026, 11, 10, tzinfo=UTC)
    assert "permanently disconnected on 2026-11-10" in event.summary
    assert event.details["registry"] == "us-reassigned"


def test_a_full_list_replaces_and_a_change_list_adds(svc: dnc.Service, tmp_path: Path) -> None:
    svc.add_consent(LISTED, "express_written", campaign="spring", at=days_ago(30))
    first = svc.import_registry(
        disconnects(tmp_path, f"{UNLISTED},2026-11-10"), "us-reassigned", as_of=date(2026, 11, 20)
    )
    assert (first.kind, first.read, first.size) == ("full", 1, 1)
    assert svc.check(LISTED, campaign="spring").allowed
    added = svc.import_registry(
        disconnects(tmp_path, f"{LISTED},2026-11-10", name="changes.csv"),
        "us-reassigned",
        changes=True,
        as_of=TODAY,
    )
    assert (added.kind, added.added, added.size) == ("change", 1, 2)
    assert not svc.check(LISTED, campaign="spring").allowed
    [status] = [s for s in svc.registry_status() if s.definition.name == "us-reassigned"]
    assert (status.size, status.changes_applied, status.freshness.state) == (2, 1, "fresh")
    assert status.freshness.as_of == NOW.date()
    svc.import_registry(
        disconnects(tmp_path, f"{LISTED},2026-11-10", f"{UNLISTED},2026-11-11", name="full.csv"),
        "us-reassigned",
        as_of=TODAY,
    )
    assert {e.disconnected_on for e in _disconnects(svc)} == {
        date(2026, 11, 10),
        date(2026, 11, 11),
    }


def _disconnects(svc: dnc.Service) -> list[dnc.Disconnect]:
    return [d for n in (LISTED, UNLISTED) for d in svc.disconnects(n)]


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("+12017770126,2026-11-10\n+1 416 555 0123,2026-11-10", "line 3: a CA number, outside"),
        ("+12017770126,10/11/2026", "line 2: not a disconnect date"),
        ("+12017770126,2026-12-01", "line 2: a disconnect after the list's date 2026-11-23"),
        ("12345,2026-11-10", "line 2"),
    ],
)
def test_a_bad_line_changes_nothing(svc: dnc.Service, tmp_path: Path, row: str, why: str) -> None:
    svc.import_registry(disconnects(tmp_path, f"{LISTED},2026-11-01"), "us-reassigned", as_of=TODAY)
    with pytest.raises(BadLineError, match=why):
        svc.import_registry(
            disconnects(tmp_path, row, name="bad.csv"), "us-reassigned", as_of=TODAY
        )
    with pytest.raises(BadLineError, match=why):
        svc.import_registry(
            disconnects(tmp_path, row, name="bad.csv"), "us-reassigned", changes=True, as_of=TODAY
        )
    assert [d.disconnected_on for d in svc.disconnects(LISTED)] == [date(2026, 11, 1)]
    assert svc.disconnects(UNLISTED) == []


def test_a_reassigned_file_goes_only_into_a_reassigned_registry(
    svc: dnc.Service, tmp_path: Path
) -> None:
    path = disconnects(tmp_path, f"{LISTED},2026-11-10")
    with pytest.raises(InputError, match="format ftc: a reassigned file"):
        svc.import_registry(path, "us-national", format="reassigned", as_of=TODAY)
    with pytest.raises(InputError, match="format reassigned: a csv file"):
        svc.import_registry(path, "us-reassigned", format="csv", as_of=TODAY)
