"""What deleting consent evidence past its keep-until adds to ``dnc purge``.

    python bench/consent_purge.py [--consents 200000] [--uses 3] [--database-url URL]

Writes ``consents`` synthetic consents (grants spread over twelve years, a
third revoked, a third with an expiry) with ``uses`` uses each spread after
the grant, then times ``purge_consent_evidence`` dry and for real inside a
unit of work, as the purge runs it. SQLite goes to
bench/data/consent-purge.db unless --database-url is given; on PostgreSQL the
bench works in a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

import dnc
from dnc import configuration
from dnc.storage import retention_repo
from dnc.storage.schema import ConsentRow, ConsentUseRow, table

HERE = Path(__file__).parent
AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
START = AT - timedelta(days=12 * 365)
BATCH = 20_000


def fill(engine: sa.Engine, consents: int, uses: int) -> None:
    rng = random.Random(7)
    span = int((AT - START).total_seconds())
    consent_rows, use_rows = [], []
    for i in range(1, consents + 1):
        granted = START + timedelta(seconds=rng.randrange(span))
        kind = i % 3
        consent_rows.append(
            {
                "id": i,
                "number": 4930_0000_0000 + i,
                "brand": "acme",
                "kind": "express_written",
                "granted_at": granted,
                "expires_at": granted + timedelta(days=400) if kind == 1 else None,
                "actor": "bench",
                "recorded_at": granted,
                "revoked_at": granted + timedelta(days=200) if kind == 2 else None,
            }
        )
        left = int((AT - granted).total_seconds())
        use_rows.extend(
            {
                "consent_id": i,
                "used_at": granted + timedelta(seconds=rng.randrange(max(left, 1))),
                "via": "check",
                "campaign": "spring",
            }
            for _ in range(uses)
        )
    with engine.begin() as conn:
        for rows, t in ((consent_rows, ConsentRow), (use_rows, ConsentUseRow)):
            for at in range(0, len(rows), BATCH):
                conn.execute(sa.insert(table(t)), rows[at : at + BATCH])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--consents", type=int, default=200_000)
    parser.add_argument("--uses", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    schema = None
    if args.database_url:
        base = args.database_url
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(base)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}?options={quote(f'-csearch_path={schema}')}"
    else:
        path = HERE / "data" / "consent-purge.db"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    service = dnc.open(url, configuration.load(env={}), clock=dnc.FixedClock(AT), create=True)
    try:
        fill(service.store.engine, args.consents, args.uses)
        cutoff = service.config.retention.consent_cutoff(AT)
        for dry in (True, False):
            with service.store.unit(write=not dry) as uow:
                began = time.perf_counter()
                found = retention_repo.purge_consent_evidence(
                    uow.connection, at=AT, cutoff=cutoff, dry_run=dry
                )
                took = time.perf_counter() - began
                if not dry:
                    uow.commit()
            uses, gone, kept = found
            print(
                f"{'dry ' if dry else 'real'}: {args.consents:,} consents, "
                f"{args.consents * args.uses:,} uses -> uses {uses:,}, consents {gone:,}, "
                f"kept in force {kept:,} in {took:.2f} s"
            )
    finally:
        service.close()
        if schema is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
