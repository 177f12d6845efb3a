"""``python -m dnc`` runs the command line."""

from dnc.cli.app import main

main()
