"""Registry snapshots as immutable, memory-mapped files (groundwork for issue 17).

A national registry changes once a month and is read billions of times, so
instead of one database row per number it can be one file per snapshot:
written once per import, mapped read-only and shared by every process on
the host, answering membership in about a microsecond from Python and
millions of numbers a second in numpy. See docs/snapshots.md.

Pure: numpy and the standard library, nothing of SQL or the CLI.
"""

from dnc.errors import SnapshotError
from dnc.snapshots.changes import ChangeResult, apply_changes, only_in, shared_count
from dnc.snapshots.encode import SnapshotInfo, discard_leftovers
from dnc.snapshots.keys import as_keys, digits_to_keys
from dnc.snapshots.reader import Snapshot, open_snapshot
from dnc.snapshots.transfer import Manifest, Part, assemble, iter_parts, manifest
from dnc.snapshots.writer import SnapshotWriter, write_snapshot

__all__ = [
    "ChangeResult",
    "Manifest",
    "Part",
    "Snapshot",
    "SnapshotError",
    "SnapshotInfo",
    "SnapshotWriter",
    "apply_changes",
    "as_keys",
    "assemble",
    "digits_to_keys",
    "discard_leftovers",
    "iter_parts",
    "manifest",
    "only_in",
    "open_snapshot",
    "shared_count",
    "write_snapshot",
]
