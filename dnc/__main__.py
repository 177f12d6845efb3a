"""``python -m dnc`` runs the command line."""

from importlib import import_module

# dnc.cli is installed from the top-level cli/ folder (see pyproject.toml),
# where a type checker reading dnc/ cannot follow a static import.
import_module("dnc.cli.app").main()
