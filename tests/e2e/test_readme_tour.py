"""The README's command-line tour, run as written with its output piped.

Each line of the tour's ``sh`` block runs in a subprocess (not a terminal),
in a folder holding the files it names. Piped, nothing may be boxed or
wrapped: no box-drawing character, and no E.164 number split across lines.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
BOX = re.compile("[\u2500-\u257f\u2580-\u259f]")
NOT_RUN = ("jobs serve", "--install-completion")  # a foreground server; a shell change


def tour() -> list[tuple[list[str], str]]:
    """(argv, comment) for each line of the block under "## The command line"."""
    text = README.read_text()
    block = text.split("## The command line", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = []
    for raw in block.splitlines():
        command, _, comment = raw.partition(" # ")
        if command.strip():
            lines.append((shlex.split(command), comment.strip()))
    return lines


def _files(folder: Path) -> None:
    shutil.copy(SAMPLES / "ftc-full-201-305-comma.zip", folder / "ftc-201.zip")
    shutil.copy(SAMPLES / "generic.csv", folder / "complaints.csv")
    (folder / "leads.csv").write_text(
        "number,lead_id,location,priority\n"
        + "".join(f"+1201555{i:04d},L-{i},US-NJ,{i % 3}\n" for i in range(120, 140))
    )
    (folder / "disconnects.csv").write_text(
        "number,disconnected_on\n+12015550140,2026-10-01\n+12015550141,2026-09-15\n"
    )
    (folder / "gateway-export.csv").write_text(
        "number,text,received_at,channel\n"
        "+12015550130,STOP,2026-11-23T15:00:00+00:00,sms\n"
        "+12015550131,call me after 5,2026-11-23T15:01:00+00:00,sms\n"
    )


def test_the_tour_is_every_command_of_the_readme() -> None:
    names = {" ".join(argv[1:3]) for argv, _ in tour()}
    assert {"--version", "init", "check 2015550123", "queue load", "list export"} <= names


# One interpreter runs the whole tour (a process per line costs ~10 s of
# imports on the loaded CI machine): each line's stdout and stderr are
# files on file descriptors 1 and 2, so rich and the progress bars see no
# terminal, exactly as when piped.
DRIVER = """
import json, os, sys
from dnc.cli.app import app
lines, results = json.loads(sys.argv[1]), []
keep_out, keep_err = os.dup(1), os.dup(2)
for n, argv in enumerate(lines):
    paths = [f"out-{n}.txt", f"err-{n}.txt"]
    for fd, path in zip((1, 2), paths):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(handle, fd)
        os.close(handle)
    try:
        app(args=argv, prog_name="dnc")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush(); sys.stderr.flush()
    os.dup2(keep_out, 1); os.dup2(keep_err, 2)
    results.append([code] + [open(p).read() for p in paths])
json.dump(results, open("results.json", "w"))
"""


def _run_tour(folder: Path, sqlite_url: str) -> list[tuple[str, str, int, str, str]]:
    lines = [
        (argv, comment)
        for argv, comment in tour()
        if not any(skip in " ".join(argv) for skip in NOT_RUN)
    ]
    assert all(argv[0] == "dnc" for argv, _ in lines)
    env = {**os.environ, "DNC_DATABASE_URL": sqlite_url, "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps([argv[1:] for argv, _ in lines])],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((folder / "results.json").read_text())
    return [
        (" ".join(argv), comment, code, out, err)
        for (argv, comment), (code, out, err) in zip(lines, results, strict=True)
    ]


def test_the_readme_tour_runs_piped_without_boxes_or_split_numbers(
    sqlite_url: str, tmp_path: Path
) -> None:
    _files(tmp_path)
    ran = _run_tour(tmp_path, sqlite_url)
    assert len(ran) >= 35
    for line, comment, code, out, err in ran:
        allowed = (2,) if comment.startswith("exit 2") else (0, 1)
        assert code in allowed, f"{line}\n{out}{err}"
        for stream in (out, err):
            assert not BOX.search(stream), f"{line}\n{stream}"
            lines = stream.splitlines()
            for first, second in zip(lines, lines[1:], strict=False):
                split = re.search(r"\+\d*$", first) and re.match(r"\d", second)
                assert not split, f"{line}: a number split across lines\n{stream}"
            assert "Traceback" not in stream, f"{line}\n{stream}"
    said = {line: (out, err) for line, _, _, out, err in ran}
    # Piped tables are tab-separated lines, whole values first.
    assert re.search(r"^\+12015550123\tinternal\t", said["dnc list show --list internal"][0], re.M)
    history = said["dnc history 2015550123"][0].splitlines()
    assert history[1] == "at\tevent\tsummary\tactor\treason"
    assert re.search(r"^\+12015550120\t", said["dnc queue show --campaign spring"][0], re.M)
    assert "did you mean +44 20 7946 0000?" in said["dnc check 020 7946 0000"][1]
    assert said["dnc prefer 2015550129 --show"][0] == (
        "+12015550129: not before 10:00, not after 18:00, only mon,tue,wed,thu,fri\n"
    )
    assert (
        "20 read, 20 added, 0 already queued"
        in said["dnc queue load leads.csv --campaign spring"][0]
    )
    export = (tmp_path / "internal.csv").read_text().splitlines()
    assert export[0] == "number,added,expires,reason,kind"
    # The prefix block's row: added the day the tour ran (any day: the suite runs a year ahead too).
    assert re.fullmatch(r"\+1201555,\d{4}-\d{2}-\d{2},,partner exchange,prefix", export[-1])
