"""Which list entries block which calls. Pure domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dnc.lists import Channel, ListEntry, Source, list_reasons
from dnc.verdicts import ReasonCode

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def entry(**changes: object) -> ListEntry:
    base: dict[str, object] = {
        "id": 1,
        "number": "+12015550123",
        "campaign": None,
        "source": Source.OPT_OUT,
        "channel": Channel.CALL,
        "created_at": AT - timedelta(days=3),
        "actor": "agent-7",
    }
    base.update(changes)
    return ListEntry(**base)  # type: ignore[arg-type]


def test_internal_entry_blocks_every_campaign() -> None:
    for campaign in (None, "a", "b"):
        reasons = list_reasons([entry()], campaign, AT)
        assert [r.code for r in reasons] == [ReasonCode.DNC_INTERNAL]


def test_campaign_entry_blocks_its_campaign_and_campaignless_checks() -> None:
    e = entry(campaign="a")
    assert [r.code for r in list_reasons([e], "a", AT)] == [ReasonCode.DNC_CAMPAIGN]
    assert [r.code for r in list_reasons([e], None, AT)] == [ReasonCode.DNC_CAMPAIGN]
    assert list_reasons([e], "b", AT) == []


def test_removed_and_expired_entries_do_not_block() -> None:
    assert list_reasons([entry(removed_at=AT - timedelta(days=1))], None, AT) == []
    assert list_reasons([entry(expires_at=AT)], None, AT) == []
    assert list_reasons([entry(expires_at=AT + timedelta(seconds=1))], None, AT) != []


@given(
    campaign=st.one_of(st.none(), st.sampled_from(["a", "b"])),
    offset=st.integers(min_value=-(10**7), max_value=10**7),
)
def test_a_live_opt_out_blocks_at_any_time_for_any_campaign(
    campaign: str | None, offset: int
) -> None:
    # Even a check dated before the request: a list is as it stands now.
    at = AT + timedelta(seconds=offset)
    assert [r.code for r in list_reasons([entry()], campaign, at)] == [ReasonCode.DNC_INTERNAL]
