"""Reading import files: registry full lists, change lists, generic CSV lists."""

from dnc.errors import BadLineError
from dnc.importing.changes import Changes, read_changes
from dnc.importing.formats import Chunk, Skipped, parse_one, read_numbers
from dnc.importing.plans import PlanFilter
from dnc.importing.sources import InputFile

__all__ = [
    "BadLineError",
    "Changes",
    "Chunk",
    "InputFile",
    "PlanFilter",
    "Skipped",
    "parse_one",
    "read_changes",
    "read_numbers",
]
