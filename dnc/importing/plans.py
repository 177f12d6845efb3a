"""Whether the numbers of a registry file belong to its registry's numbering plan.

A registry file of the wrong country (a Canadian list imported as
us-national, a +1 212 list as au-dncr) would otherwise replace a snapshot
silently. At national scale the check must cost next to nothing, so the plan
is compiled to a regular expression over the leading digits of the E.164
numbers (US and Canada told apart by area code, from the NANP table) that
validates a whole chunk in C. Only a chunk that fails is walked number by
number, with phonenumbers where the prefixes cannot answer, to name the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import phonenumbers
from numpy.typing import NDArray
from phonenumbers import NumberParseException

from dnc.registries import NumberingPlan

_END = "$"  # a trie node's marker: every number from here on is in the plan


class PlanFilter:
    """One registry's numbering plan, ready for a file's chunks and lines."""

    def __init__(self, registry: str, plan: NumberingPlan, nanp: Mapping[str, str]) -> None:
        """``nanp``: NANP area code ("416") → country ("CA"), from the area-code table."""
        self.registry = registry
        self.plan = plan
        self._nanp = nanp
        prefixes = trie_pattern(_sufficient_prefixes(plan, nanp)).encode()
        # Possessive (*+, ?+): lines never need backtracking, and without it
        # the engine keeps a state per line of an 8 MB block.
        self._block = re.compile(rb"(?:(?:" + prefixes + rb"[0-9]*+)?+\n)*+")
        # The same prefixes as sorted integers, one array per length, for
        # keys already in numpy (the fixed-width layouts' fast path).
        by_length: dict[int, list[int]] = {}
        for prefix in _sufficient_prefixes(plan, nanp):
            by_length.setdefault(len(prefix), []).append(int(prefix))
        self._by_length = {n: np.unique(np.array(v, dtype=np.uint64)) for n, v in by_length.items()}

    def block_ok(self, digits: bytes) -> bool:
        """Whether every line of ``digits`` (E.164 digits, each line ending in a
        newline; blank lines allowed) is surely in the plan. False means: look
        line by line with ``refusal``."""
        return self._block.fullmatch(digits) is not None

    def keys_ok(self, keys: NDArray[np.uint64], width: int) -> bool:
        """Whether every key (E.164 digits as integers, all ``width`` digits
        long) is surely in the plan, in numpy. False: look line by line."""
        inside = np.zeros(keys.size, dtype=bool)
        for length, prefixes in self._by_length.items():
            if length <= width:
                heads = keys // np.uint64(10 ** (width - length))
                inside |= np.isin(heads, prefixes, assume_unique=False)
        return bool(inside.all())

    def refusal(self, digits: str, region: str | None = None) -> str | None:
        """Why the number with these E.164 digits is not in the plan, or None.

        ``region``: phonenumbers' region for it, when the caller parsed it.
        """
        if any(digits.startswith(p) for p in self.plan.prefixes):
            return None
        found = self._region(digits, region)
        if found in self.plan.regions:
            return None
        what = f"a {found} number" if found != "ZZ" else "a number of no region"
        return (
            f"{what}, outside the numbering plan of registry {self.registry} "
            f"({self.plan.describe()})"
        )

    def _region(self, digits: str, region: str | None) -> str:
        if digits.startswith("1") and len(digits) == 11:
            country = self._nanp.get(digits[1:4])
            if country:
                return country
        if region is not None:
            return region
        try:
            parsed = phonenumbers.parse("+" + digits)
        except NumberParseException:
            return "ZZ"
        return phonenumbers.region_code_for_number(parsed) or "ZZ"


def _sufficient_prefixes(plan: NumberingPlan, nanp: Mapping[str, str]) -> list[str]:
    """E.164 prefixes every number under which is in the plan (some plan numbers
    may have none: those chunks are walked line by line)."""
    found = list(plan.prefixes)
    for region in plan.regions:
        code = phonenumbers.country_code_for_region(region)
        if code == 1:
            found.extend(f"1{area}" for area, country in nanp.items() if country == region)
        elif code and phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code) == (region,):
            found.append(str(code))
    return found


def trie_pattern(prefixes: Iterable[str]) -> str:
    """A regular expression matching the start of any string beginning with one
    of ``prefixes`` (digit strings), as a trie: at most one branch is tried per
    character. No prefixes: a pattern that matches nothing."""
    root: dict[str, Any] = {}
    for prefix in sorted(set(prefixes), key=len):
        node = root
        for char in prefix:
            if _END in node:
                break  # a shorter prefix already takes in this one
            node = node.setdefault(char, {})
        else:
            node.clear()
            node[_END] = True
    return _emit(root) if root else "(?!)"


def _emit(node: dict[str, Any]) -> str:
    if _END in node:
        return ""
    leaves = [char for char, child in sorted(node.items()) if _END in child]
    parts = []
    if leaves:
        parts.append(leaves[0] if len(leaves) == 1 else "[" + "".join(leaves) + "]")
    parts.extend(char + _emit(child) for char, child in sorted(node.items()) if _END not in child)
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
