"""Which way imports go (docs/architecture.md), held by reading the sources.

The domain knows nothing of SQL, Typer or the use cases; storage knows no use
case; the shells (cli/, jobs/, api/) import only dnc's public names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DNC = ROOT / "dnc"

# Pure modules: numbers, rules, verdicts and decisions.
DOMAIN = [
    "access.py",
    "audit.py",
    "calling.py",
    "clock.py",
    "consent.py",
    "decide.py",
    "errors.py",
    "evaluate.py",
    "facts.py",
    "judge.py",
    "lists.py",
    "numbers.py",
    "operations.py",
    "outcomes.py",
    "policy.py",
    "preferences.py",
    "prefixes.py",
    "queue.py",
    "registries.py",
    "retention.py",
    "timeline.py",
    "verdicts.py",
    "rules",
    "replies",
    "reports/model.py",
]
OUTSIDE_THE_DOMAIN = ("sqlalchemy", "alembic", "typer", "rich", "dnc.storage", "dnc.app")
# The shells may import these of dnc besides their own packages.
PUBLIC = {"dnc", "dnc.reports"}


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _files(*where: Path) -> list[Path]:
    return sorted(p for w in where for p in ([w] if w.is_file() else w.rglob("*.py")))


def test_the_domain_imports_no_storage_no_shell_and_no_use_case() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _files(*(DNC / d for d in DOMAIN))
        for name in _imports(path)
        if name.startswith(OUTSIDE_THE_DOMAIN)
    ]
    assert found == []


def test_storage_knows_no_use_case_and_no_shell() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _files(DNC / "storage")
        for name in _imports(path)
        if name.startswith(("dnc.app", "dnc.service", "dnc.cli", "dnc.jobs", "typer"))
    ]
    assert found == []


def test_use_cases_get_a_store_never_an_engine() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {ast.unparse(node)}"
        for path in _files(DNC / "app")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.module.startswith("sqlalchemy")
        and any(a.name in {"Engine", "create_engine", "text", "select"} for a in node.names)
    ]
    assert found == []


def test_the_shells_import_only_public_names() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _files(ROOT / "cli", ROOT / "jobs", ROOT / "api")
        for name in _imports(path)
        if name.startswith("dnc")
        and name not in PUBLIC
        and not name.startswith(("dnc.cli", "dnc.jobs", "dnc.api"))
    ]
    assert found == []


def test_every_error_class_lives_in_errors_and_is_exported() -> None:
    import importlib
    import pkgutil

    import dnc
    from dnc import errors

    for module in pkgutil.walk_packages(dnc.__path__, "dnc."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)

    def kinds(base: type) -> list[type]:
        return [k for sub in base.__subclasses__() for k in (sub, *kinds(sub))]

    found = kinds(errors.DncError)
    assert sorted(k.__qualname__ for k in found if k.__module__ != "dnc.errors") == []
    assert sorted({k.__name__ for k in found} - set(dnc.__all__)) == []


def test_every_package_is_installed() -> None:
    """A package missing from pyproject's list works in the source tree and
    is absent from a real install (as dnc.app once was)."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in DNC.rglob("__init__.py")
        if "__pycache__" not in path.parts
    }
    assert found - listed == set()
