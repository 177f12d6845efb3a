"""Every command of the command line, fed hostile input on both databases.

The commands are read from the Typer app, so a new command is covered (and
must be given a line in ``COMMANDS``, or this test fails). Each of its
parameters gets the hostile values of its kind: text (NUL bytes, lone
surrogates, 10 000 characters, SQL, unicode digits, rich markup), whole
numbers (beyond 64 bits, negative), times (impossible dates, the edges of
the calendar), files (missing, a folder, binary, a truncated zip, Latin-1),
output paths (a missing folder, /dev/full, a read-only place). Every run is
held to: no traceback; a refusal exits 2 (3 for storage) with exactly one
line on stderr and nothing changed in the store (every table dumped before
and after); a value of a kind that must be refused is refused; a note or
another decoration that is not clean text is cleaned with a warning and the
request recorded.
"""

from __future__ import annotations

import gzip
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
import typer.main
import typer.testing
from typer.testing import CliRunner

import dnc
from dnc.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
NO_REGISTRIES_REQUIRED = "".join(
    f"[registries.{name}]\nrequired = false\n"
    for name in ("us-national", "ca-dncl", "uk-tps", "au-dncr")
)


def _pg_base_url() -> str:
    url = os.environ.get("DNC_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _pg_unavailable() -> str | None:
    try:
        engine = sa.create_engine(_pg_base_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - reported as the skip/fail reason
        return f"PostgreSQL at {_pg_base_url()} unreachable: {exc}".splitlines()[0]
    return None


NUMBER = "+12015550123"


# -- the commands and their parameters ------------------------------------------------


def commands() -> dict[str, Any]:
    """Every leaf command of the app by its path ("queue load")."""
    found: dict[str, Any] = {}

    def walk(cmd: Any, path: list[str]) -> None:
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            found[" ".join(path)] = cmd

    walk(typer.main.get_command(app), [])
    return found


@dataclass(frozen=True)
class Command:
    """How to run a command validly (``base``), what to run before each case
    (``prepare``: CLI argument lists), and which of its parameters are
    decoration (cleaned with a warning, never refused) or answered rather
    than refused (``check`` answers INVALID_NUMBER for any text)."""

    base: tuple[str, ...] = ()
    prepare: tuple[tuple[str, ...], ...] = ()
    decoration: frozenset[str] = frozenset()
    answered: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()
    """Parameters left out: only ``jobs serve`` and ``serve`` (they would serve forever)."""


Q = ("--campaign", "spring")
CONSENT = ("consent", "add", NUMBER, "--kind", "express_written", "--at", "2026-11-01")
COMMANDS: dict[str, Command] = {
    "init": Command(),
    "check": Command((NUMBER,), answered=frozenset({"number"})),
    # A company-wide opt-out does not store a campaign: an unusable one is dropped.
    # --client names a configured client: any other value is refused (exit 2).
    "opt-out": Command(("+12015550140",), decoration=frozenset({"note", "campaign"})),
    # An opt-out outcome is recorded under the campaign cleaned.
    "outcome": Command(
        (NUMBER, *Q, "--outcome", "opt_out"), decoration=frozenset({"note", "agent", "campaign"})
    ),
    "history": Command((NUMBER,)),
    "report": Command(),
    "purge": Command(("--dry-run",)),
    "prefer": Command((NUMBER, "--not-before", "10")),
    "scrub": Command(Q),
    "intent": Command(("STOP",), answered=frozenset({"text"})),
    "list add": Command(("+12015550141",), decoration=frozenset({"reason"})),
    "list remove": Command(
        ("+12015550142", "--reason", "asked"),
        prepare=(("list", "add", "+12015550142"),),
        decoration=frozenset({"reason"}),
    ),
    "list show": Command(),
    "list prefixes": Command(),
    "list import": Command(("FILE",)),
    "list export": Command(("--out", "OUT")),
    "registry import": Command(("FILE", "--registry", "us-national")),
    "registry status": Command(),
    "consent add": Command(
        (NUMBER, "--kind", "express_written", "--at", "2026-11-01", *Q),
        decoration=frozenset({"evidence"}),
    ),
    "consent revoke": Command(
        (NUMBER, *Q, "--reason", "asked"),
        prepare=(
            ("consent", "add", NUMBER, "--kind", "express_written", "--at", "2026-11-01", *Q),
        ),
        decoration=frozenset({"reason"}),
    ),
    "consent show": Command((NUMBER,)),
    "audit verify": Command(),
    "audit export": Command(),
    "queue load": Command(("FILE", *Q)),
    "queue show": Command(Q),
    "queue export": Command((*Q, "--out", "OUT")),
    "jobs serve": Command(skip=frozenset({"*"})),
    "jobs run": Command(("consent-expiry",)),
    "jobs history": Command(),
    # A reply may be an opt-out: its campaign is cleaned, never a reason to refuse it.
    "reply record": Command(
        (NUMBER, "--text", "hello"), decoration=frozenset({"agent", "text", "campaign"})
    ),
    "reply import": Command(("FILE",)),
    "api-key create": Command(("--name", "dialer-x", "--scope", "check")),
    "api-key list": Command(),
    "api-key revoke": Command(
        ("dialer-r", "--reason", "retired"),
        prepare=(("api-key", "create", "--name", "dialer-r"),),
        decoration=frozenset({"reason"}),
    ),
    "audit anchor": Command(),
    "doctor": Command(),
    "serve": Command(skip=frozenset({"*"})),
    "campaign status": Command(("spring",)),
}

TIMES = {"at", "callback_at", "expires", "since", "until", "as_of", "day"}
FILES = {"file", "path", "rules"}
OUTPUTS = {"out"}
SKIPPED = {"as_json", "help"}


@dataclass(frozen=True)
class Case:
    value: str
    must: str
    """refuse: exit 2 or 3; clean: exit 0 with a warning when decoration;
    any: whatever the command says, under the general rules."""


HARMLESS = (
    "x'); DROP TABLE list_entry; --",
    "\u0661\u0662\u0660\u0661\u0665\u0665\u0665\u0660\u0661\u0662\u0663",
    "[bold red]markup[/]",
)
"""Values that are not wrong in themselves; each text parameter gets one in
turn, held to the general rules (and a store that keeps its tables)."""


def text_cases(decoration: bool, answered: bool, turn: int) -> list[Case]:
    must = "clean" if decoration else "any" if answered else "refuse"
    return [
        Case("spring\x00night", must),
        Case("caf\udce9", must),
        Case("x" * 10_000, must),
        Case(HARMLESS[turn % len(HARMLESS)], "any"),
    ]


INT_CASES = [Case(str(2**64), "refuse"), Case("-5", "refuse"), Case("\u0661\u0660", "any")]
TIME_CASES = [
    Case("0001-01-01T00:00:00+14:00", "refuse"),
    Case("9999-12-31T23:59:59-14:00", "refuse"),
    Case("9999-12-31", "refuse"),
    Case("2026-02-30", "refuse"),
]


def file_cases(files: dict[str, Path], folder_allowed: bool) -> list[Case]:
    cases = [Case(str(files[name]), "refuse") for name in HOSTILE_FILES]
    cases.append(Case("/nonexistent/leads.csv", "refuse"))
    if not folder_allowed:
        cases.append(Case(str(files["binary"].parent), "refuse"))
    return cases


def out_cases(tmp: Path) -> list[Case]:
    cases = [
        Case(str(tmp / "missing-folder" / "out.csv"), "refuse"),
        Case("/proc/dnc-out.csv", "refuse"),
        Case(str(tmp), "refuse"),
    ]
    # Only where it is the device: a missing one would be created as a file.
    if Path("/dev/full").is_char_device():
        cases.append(Case("/dev/full", "refuse"))
    return cases


HOSTILE_FILES: dict[str, Callable[[Path], None]] = {
    "binary": lambda p: p.write_bytes(bytes(range(256)) * 8),
    "truncated.zip": lambda p: p.write_bytes(_zip_bytes()[:60]),
    "truncated.csv.gz": lambda p: p.write_bytes(gzip.compress(b"number\n2015550101\n" * 50)[:30]),
    "latin1.csv": lambda p: p.write_bytes(b"number,note\n2015550101,caf\xe9\n"),
    "utf16-no-bom.csv": lambda p: p.write_bytes("number\n2015550101\n".encode("utf-16-le")),
}


def _zip_bytes() -> bytes:
    path = ROOT / "tests" / "data" / "samples" / "ftc-full-201-305-comma.zip"
    return path.read_bytes()


def cases_for(
    path: str, cmd: Any, files: dict[str, Path], tmp: Path, thorough: bool = True
) -> Iterator[tuple[str, Case]]:
    """Each parameter's hostile values; not ``thorough`` (the second database),
    the values whose fate a database could change: text that is not clean or
    too long for a column, a number beyond 32 bits, a time that leaves the
    calendar in UTC, a file that does not decode."""
    spec = COMMANDS[path]
    if "*" in spec.skip:
        return
    for turn, param in enumerate(cmd.params):
        name = param.name
        if name in SKIPPED or name in spec.skip or getattr(param, "is_flag", False):
            continue
        if name in FILES:
            cases = file_cases(files, folder_allowed=name == "rules")
        elif name in OUTPUTS:
            cases = out_cases(tmp)
        elif name in TIMES:
            cases = TIME_CASES
        elif _is_int(param):
            cases = INT_CASES
        else:
            cases = text_cases(name in spec.decoration, name in spec.answered, turn)
        if not thorough:
            cases = [c for c in cases if c.value in DATABASE_SENSITIVE or c.must == "clean"]
        for case in cases:
            yield name, case


DATABASE_SENSITIVE = {
    "spring\x00night",
    "caf\udce9",
    "x" * 10_000,
    str(2**64),
    "0001-01-01T00:00:00+14:00",
    "/nonexistent/leads.csv",
}


def _is_int(param: Any) -> bool:
    annotation = param.type_descriptor.annotation
    return int in getattr(annotation, "__args__", (annotation,))


def argv_with(path: str, cmd: Any, name: str, value: str, files: dict[str, Path]) -> list[str]:
    """The command's valid arguments with ``name`` set to ``value``."""
    spec = COMMANDS[path]
    base = [files.get(a, a) if a in ("FILE", "OUT") else a for a in spec.base]
    base = [str(a) for a in base]
    param = next(p for p in cmd.params if p.name == name)
    words = path.split()
    if param.param_type_name == "argument":
        positions = [i for i, p in enumerate(cmd.params) if p.param_type_name == "argument"]
        index = positions.index(cmd.params.index(param))
        args = [a for a in base if True]
        if index < len(args) and not args[index].startswith("--"):
            args[index] = value
        else:
            args.insert(index, value)
        return [*words, *args]
    flag = next(o for o in param.opts if o.startswith("--"))
    if flag in base:
        i = base.index(flag)
        base[i + 1] = value
        return [*words, *base]
    return [*words, *base, flag, value]


# -- the store, seeded and dumped -------------------------------------------------------


def seed(url: str, tmp: Path) -> None:
    clock = dnc.FixedClock(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    with dnc.open(url, clock=clock, create=True) as service:
        service.opt_out("+12015550111")
        service.add_to_list("+12015550112", reason="seed")
        service.block_prefix("+1201555999")
        for i in range(5):
            service.enqueue("spring", f"+1201555013{i}")
        service.add_consent("+12015550113", "express_written", campaign="spring")
        service.record_outcome("+12015550114", "spring", "no_answer")


_TABLES: dict[str, tuple[sa.Engine, sa.MetaData]] = {}


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the schema read once per store)."""
    if url not in _TABLES:
        engine = sa.create_engine(url)
        meta = sa.MetaData()
        meta.reflect(engine)
        _TABLES[url] = (engine, meta)
    engine, meta = _TABLES[url]
    with engine.connect() as conn:
        return {
            name: sorted((tuple(map(repr, row)) for row in conn.execute(table.select())), key=repr)
            for name, table in sorted(meta.tables.items())
        }


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    where = tmp_path_factory.mktemp("hostile-files")
    made: dict[str, Path] = {}
    for name, write in HOSTILE_FILES.items():
        path = where / name
        write(path)
        made[name] = path
    good = where / "good"
    good.mkdir()
    (good / "leads.csv").write_text("number\n2015550160\n")
    made["FILE"] = good / "leads.csv"
    made["OUT"] = good / "out.csv"
    return made


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("hostile-db")
    config = tmp / "config.toml"
    config.write_text(NO_REGISTRIES_REQUIRED)
    old = os.environ.get("DNC_CONFIG")
    os.environ["DNC_CONFIG"] = str(config)
    try:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp / 'dnc.db'}"
            seed(url, tmp)
            yield url
        else:
            problem = _pg_unavailable()
            if problem:
                if os.environ.get("CI") == "true":
                    pytest.fail(problem)
                pytest.skip(problem)
            schema = f"h_{uuid.uuid4().hex[:12]}"
            admin = sa.create_engine(_pg_base_url())
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            base = _pg_base_url()
            sep = "&" if "?" in base else "?"
            url = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
            seed(url, tmp)
            try:
                yield url
            finally:
                cached = _TABLES.pop(url, None)
                if cached is not None:
                    cached[0].dispose()
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    finally:
        if old is None:
            os.environ.pop("DNC_CONFIG", None)
        else:
            os.environ["DNC_CONFIG"] = old


# -- the runs -----------------------------------------------------------------------------

RUNNER = CliRunner()
COMMAND = typer.main.get_command(app)


@pytest.fixture(scope="module", autouse=True)
def _built_once() -> Iterator[None]:
    """Typer builds the click command from the functions on every invoke
    (about 0.2 s); built once here, the runs are several times faster."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda _app: COMMAND)
        yield


@dataclass
class Run:
    argv: list[str]
    code: int
    stdout: str
    stderr: str
    traceback: str | None


def run(url: str, argv: list[str]) -> Run:
    result = RUNNER.invoke(app, ["--database-url", url, *argv], catch_exceptions=True)
    exc = result.exception
    traceback = None
    if exc is not None and not isinstance(exc, SystemExit):
        traceback = f"{type(exc).__name__}: {exc}"[:300]
    if "Traceback (most recent call last)" in result.output:
        traceback = result.output[-300:]
    return Run(argv, result.exit_code, result.stdout, result.stderr, traceback)


def problems_of(r: Run, case: Case, changed: bool) -> list[str]:
    shown = [a if len(a) < 60 else a[:57] + "..." for a in r.argv]
    where = f"dnc {' '.join(map(ascii, shown))}"
    lines = r.stderr.splitlines()
    found: list[str] = []
    if r.traceback:
        found.append(f"{where}: traceback {r.traceback}")
    elif r.code in (2, 3):
        if len(lines) != 1:
            found.append(f"{where}: exit {r.code} with {len(lines)} stderr lines: {lines[:3]}")
        if changed:
            found.append(f"{where}: refused (exit {r.code}) but the store changed")
    elif r.code not in (0, 1):
        found.append(f"{where}: exit {r.code}: {lines[:2]}")
    if not r.traceback:
        if case.must == "refuse" and r.code not in (2, 3):
            found.append(f"{where}: accepted (exit {r.code}), must be refused")
        if case.must == "clean":
            warned = [ln for ln in lines if ln.startswith("warning:")]
            if r.code != 0 or not warned:
                found.append(f"{where}: decoration not cleaned: exit {r.code}, stderr {lines[:2]}")
    return found


def test_every_command_has_a_line_in_the_table() -> None:
    assert sorted(commands()) == sorted(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_hostile_arguments(path: str, store: str, files: dict[str, Path], tmp_path: Path) -> None:
    cmd = commands()[path]
    spec = COMMANDS[path]
    found: list[str] = []
    runs = 0
    state = dump(store)
    thorough = store.startswith("sqlite")
    for name, case in cases_for(path, cmd, files, tmp_path, thorough):
        if spec.prepare:
            for before in spec.prepare:
                run(store, list(before))
            state = dump(store)
        argv = argv_with(path, cmd, name, case.value, files)
        r = run(store, argv)
        runs += 1
        after = dump(store)
        found += problems_of(r, case, after != state)
        state = after
    assert not found, f"{len(found)} of {runs} runs:\n" + "\n".join(found)


def test_a_garbage_configuration_is_one_line_for_every_command(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """A binary, missing or garbage ``--config``: one line, exit 2, before
    anything is done (the database named does not even get created)."""
    binary = tmp_path / "config.bin"
    binary.write_bytes(bytes(range(256)))
    garbage = tmp_path / "config.toml"
    garbage.write_text("[registries\nthis is = not toml ]]\n")
    database = tmp_path / "never.db"
    found: list[str] = []
    for path in sorted(COMMANDS):
        base = [str(files.get(a, a)) if a in ("FILE", "OUT") else a for a in COMMANDS[path].base]
        for config in (binary, tmp_path / "missing.toml", garbage):
            argv = ["--config", str(config), *path.split(), *base]
            r = run(f"sqlite:///{database}", argv)
            found += problems_of(r, Case(str(config), "refuse"), False)
            if r.code == 2 and str(config) not in r.stderr:
                found.append(f"{path}: the error does not name {config}: {r.stderr!r}")
    assert not database.exists()
    assert not found, "\n".join(found)
