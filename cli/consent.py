"""``dnc consent``: consents that lift a registry listing or meet a consent law."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

import typer

import dnc
from dnc.cli.common import (
    console,
    parse_expiry,
    parse_instant,
    print_json,
    service_for,
    state,
    user_errors,
)
from dnc.cli.render import count, key, moment, print_table, stamp, text

app = typer.Typer(
    help="Record and revoke consent to be called (per campaign or per brand).",
    no_args_is_help=True,
)

Campaign = Annotated[str | None, typer.Option(help="The campaign the consent is for.")]
Brand = Annotated[str | None, typer.Option(help="The brand the consent is for.")]


def _given_at(value: str) -> datetime:
    """A date (start of that day, UTC) or an ISO 8601 time with offset."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        parsed = parse_instant(value, "--at")
        if parsed is None:  # only for None input, which typer never passes here
            raise dnc.InputError("--at is required") from None
        return parsed
    return datetime.combine(dnc.valid_day(day, "--at"), time(0), tzinfo=UTC)


def consent_dict(c: dnc.ConsentRecord) -> dict[str, object]:
    return c.to_dict()


@app.command(
    "add",
    help="Record that NUMBER consented, for one campaign or one brand.\n\n"
    "EBR kinds expire by default 18 months (purchase) or 3 months (inquiry) after --at.\n\n"
    "Example: dnc consent add 2015550123 --brand acme --kind express_written"
    ' --at 2026-11-01 --evidence "web form 8812"',
)
@user_errors
def add(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    kind: Annotated[
        str, typer.Option(help="express, express_written, ebr_purchase or ebr_inquiry.")
    ],
    at: Annotated[
        str, typer.Option(help="When it was given: YYYY-MM-DD or ISO 8601.", metavar="DATE|TIME")
    ],
    campaign: Campaign = None,
    brand: Brand = None,
    expires: Annotated[
        str | None, typer.Option(help="Last day it holds (YYYY-MM-DD) or an ISO 8601 time.")
    ] = None,
    evidence: Annotated[str | None, typer.Option(help="Where the proof is kept.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the consent as JSON.")] = False,
) -> None:
    if (campaign is None) == (brand is None):
        raise dnc.InputError("give exactly one of --campaign or --brand")
    with service_for(ctx) as service:
        consent = service.add_consent(
            number,
            kind,
            campaign=campaign,
            brand=brand,
            at=_given_at(at),
            expires_at=parse_expiry(expires, None, service.now()),
            evidence=evidence,
            actor=state(ctx).actor,
        )
    if as_json:
        print_json(consent_dict(consent))
    else:
        console.print(
            f"{consent.number}: {consent.describe()} (consent {consent.id})", highlight=False
        )


@app.command(
    "revoke",
    help="Revoke NUMBER's consent for a campaign or brand (neither: every consent).\n\n"
    'Example: dnc consent revoke 2015550123 --brand acme --reason "asked by email"',
)
@user_errors
def revoke(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    campaign: Campaign = None,
    brand: Brand = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit).")] = None,
) -> None:
    with service_for(ctx) as service:
        revoked = service.revoke_consent(
            number, campaign=campaign, brand=brand, reason=reason, actor=state(ctx).actor
        )
    for c in revoked:
        console.print(f"{c.number}: revoked {c.describe()}", highlight=False)


@app.command(
    "show",
    help="Show NUMBER's consents; with --json each one's evidence too: every check or "
    "claim that relied on it, its audit records, and until when it is kept (5 years after "
    "it was given and after its last use, UWG §7a).\n\n"
    "Example: dnc consent show 2015550123 --brand acme --all --json",
)
@user_errors
def show(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    include_revoked: Annotated[bool, typer.Option("--all", help="Include revoked ones.")] = False,
    campaign: Annotated[str | None, typer.Option(help="Only consents for this campaign.")] = None,
    brand: Annotated[str | None, typer.Option(help="Only consents for this brand.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    with service_for(ctx) as service:
        found = service.consent_evidence(
            number, campaign=campaign, brand=brand, include_revoked=include_revoked
        )
    consents = [e.consent for e in found]
    if as_json:
        print_json([e.to_dict() for e in found])
        return
    print_table(
        f"{len(consents):,} consents",
        [
            key("kind"),
            key("for"),
            moment("given"),
            moment("expires"),
            text("evidence"),
            text("revoked"),
            count("uses"),
            moment("kept until"),
        ],
        [
            (
                c.kind.value,
                c.scope,
                stamp(c.granted_at),
                stamp(c.expires_at),
                c.evidence,
                f"{stamp(c.revoked_at)}: {c.revoked_reason or ''}" if c.revoked_at else "",
                f"{len(e.uses):,}",
                stamp(e.keep_until),
            )
            for c, e in zip(consents, found, strict=True)
        ],
    )
