"""``python -m dnc`` runs the command line."""

import sys
from importlib import import_module
from pathlib import Path

# The folders installing maps into the package (pyproject.toml: package-dir).
MAPPED = ("dnc.cli", "dnc.jobs", "dnc.config")

try:
    # dnc.cli is installed from the top-level cli/ folder (see pyproject.toml),
    # where a type checker reading dnc/ cannot follow a static import.
    cli = import_module("dnc.cli.app")
except ModuleNotFoundError as exc:
    if exc.name not in MAPPED:
        raise
    # Run from a repository root, ``dnc`` is the source folder (the current
    # folder comes first on sys.path), not the installed package, and the
    # top-level cli/, jobs/ and config/ folders are not inside it: let the
    # package find them where they are, as installing maps them.
    sys.modules["dnc"].__path__.append(str(Path(__file__).resolve().parent.parent))
    cli = import_module("dnc.cli.app")
cli.main()
