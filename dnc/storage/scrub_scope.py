"""The scrub's scope in memory (SQLite): every entry's number, id, group and
registry bits as arrays, in number order, and what the walks would work out
from them in SQL, worked out in numpy instead.

``dnc.storage.scrub_repo.Walk`` reads the scope once; when the write
transaction finds the database as the read transaction left it (no other
connection has committed since), each entry's verdict and disposition
follow from the arrays and the run's decisions alone, and go to the
database as one array of ``id << KIND_BITS | kind`` per statement, ``kind``
indexing a small table of what was decided.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Low bits of a packed entry: which decision (of at most 2 ** KIND_BITS).
KIND_BITS = 20
# (group, bits) integers below this are looked up in a table, not searched.
DENSE_KEYS = 1 << 22


def ints(joined: str | None) -> NDArray[np.int64]:
    """The integers of a comma-joined string (``group_concat``'s)."""
    if not joined:
        return np.empty(0, dtype=np.int64)
    # Parsed in C: ten times json.loads, twenty times int() on each part.
    return np.fromstring(joined, dtype=np.int64, sep=",")


@dataclass(slots=True)
class Scope:
    """Every entry in scope, in number order: number, id, group, registry bits;
    after ``counts``, which entries were plain (no facts of their own, not
    suppressed) and which suppressed when read."""

    numbers: NDArray[np.uint64]
    ids: NDArray[np.int64]
    groups: NDArray[np.int64]
    rbits: NDArray[np.int64] | None = None
    plain: NDArray[np.bool_] | None = None
    suppressed: NDArray[np.bool_] | None = None
    # The distinct registry bits, and each entry's (group, bits) as one integer.
    sets: NDArray[np.int64] = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    keys: NDArray[np.int64] | None = None

    def counts(
        self, special: NDArray[np.int64], suppressed: NDArray[np.int64]
    ) -> dict[tuple[int, int], int]:
        """``Walk.counts`` of the entries whose number is not ``special`` and
        whose id is not ``suppressed``."""
        rbits = self.rbits if self.rbits is not None else np.zeros_like(self.groups)
        # One integer per (group, bits): the sets of bits are few.
        self.sets, which = np.unique(np.concatenate(([0], rbits)), return_inverse=True)
        self.keys = self.groups * self.sets.size + which.ravel()[1:]
        self.suppressed = _among(self.ids, suppressed)
        self.plain = ~_among(self.numbers, special.astype(np.uint64)) & ~self.suppressed
        chosen = self.keys[self.plain]
        if chosen.size and int(chosen.max()) < DENSE_KEYS:
            every = np.bincount(chosen)
            keys = np.flatnonzero(every)
            found = every[keys]
        else:
            keys, found = np.unique(chosen, return_counts=True)
        group_of, set_of = np.divmod(keys, self.sets.size)
        return {
            (int(g), int(self.sets[b])): int(n)
            for g, b, n in zip(group_of.tolist(), set_of.tolist(), found.tolist(), strict=True)
        }

    def key_of(self, group_id: int, bits: int) -> int | None:
        """The (group, bits) integer of ``counts``, or None for bits no entry has."""
        at = int(np.searchsorted(self.sets, bits))
        if at == self.sets.size or int(self.sets[at]) != bits:
            return None
        return group_id * int(self.sets.size) + at

    def groups_of(self, ids: Sequence[int]) -> dict[int, int]:
        """The group of each of ``ids`` in scope (the others are left out)."""
        if not ids or not self.ids.size:
            return {}
        order = np.argsort(self.ids)
        wanted = np.asarray(ids, dtype=np.int64)
        at = order[np.minimum(np.searchsorted(self.ids, wanted, sorter=order), order.size - 1)]
        found = self.ids[at] == wanted
        return dict(zip(wanted[found].tolist(), self.groups[at[found]].tolist(), strict=True))

    def picked(
        self, kinds: Mapping[int, int], through: int
    ) -> tuple[NDArray[np.uint64], NDArray[np.int64]] | None:
        """The number and packed (id, kind) of every plain listed entry up to
        ``through``, in number order; ``kinds``: (group, bits) integer ->
        kind. None when an entry has no kind (the decisions do not match the
        scope)."""
        if self.plain is None or self.rbits is None or self.keys is None:
            return None
        chosen = np.flatnonzero(self.plain & (self.rbits != 0) & (self.ids <= through))
        packed = _packed(self.ids[chosen], self.keys[chosen], kinds)
        return None if packed is None else (self.numbers[chosen], packed)

    def dispositions(
        self,
        by_key: Mapping[int, int],
        own: Mapping[int, int],
        through: int,
    ) -> NDArray[np.int64] | None:
        """Packed (id, kind) of every entry up to ``through`` not suppressed when
        read, in id order: a plain entry's kind by its (group, bits) integer
        (``by_key``), any other's by its id (``own``). None when an entry has
        no kind."""
        if self.plain is None or self.suppressed is None or self.keys is None:
            return None
        live = ~self.suppressed & (self.ids <= through)
        plain = np.flatnonzero(live & self.plain)
        other = np.flatnonzero(live & ~self.plain)
        first = _packed(self.ids[plain], self.keys[plain], by_key)
        second = _packed(self.ids[other], self.ids[other], own)
        if first is None or second is None:
            return None
        return np.sort(np.concatenate((first, second)))


def _packed(
    ids: NDArray[np.int64], keys: NDArray[np.int64], kinds: Mapping[int, int]
) -> NDArray[np.int64] | None:
    if not ids.size:
        return np.empty(0, dtype=np.int64)
    if not kinds:
        return None
    known = np.array(sorted(kinds), dtype=np.int64)
    kind = np.array([kinds[k] for k in known.tolist()], dtype=np.int64)
    if int(known[-1]) < DENSE_KEYS:
        # Few groups: a table indexed by key, no search.
        table = np.full(int(known[-1]) + 1, -1, dtype=np.int64)
        table[known] = kind
        found = table[np.minimum(keys, table.size - 1)]
        if bool((found < 0).any()) or bool((keys >= table.size).any()):
            return None
        return (ids << KIND_BITS) | found
    at = np.minimum(np.searchsorted(known, keys), known.size - 1)
    if not bool((known[at] == keys).all()):
        return None
    return (ids << KIND_BITS) | kind[at]


def _among(values: NDArray[Any], members: NDArray[Any]) -> NDArray[np.bool_]:
    """Whether each of ``values`` is one of ``members`` (few, beside many values)."""
    if not members.size or not values.size:
        return np.zeros(values.shape, dtype=bool)
    members = np.sort(members)
    at = np.minimum(np.searchsorted(members, values), members.size - 1)
    found: NDArray[np.bool_] = members[at] == values
    return found
