"""From a reply as typed to tokens every language's rules can read.

Pure functions. One pass, the same for every language: Unicode NFKC, case
folding, diacritics dropped (phones often type "arge helistage" for "ärge
helistage", "neskambinkit" for "neskambinkite"), Cyrillic soft and hard
signs dropped and э read as е (often left out or swapped in texts); words
joined by a hyphen read as one ("opt-out" as "optout", "стоп-лист"). Emoji,
quotes and other symbols vanish; sentence punctuation becomes a boundary
token, a question mark a question token. Every token keeps its span in the
ORIGINAL text so a match can be shown where the person wrote it.

Only the first ``MAX_CHARS`` characters are read: a reply is short, and the
cap keeps the work per message bounded whatever arrives. Lone surrogates,
NUL and other control or unassigned code points count as spaces.

What depends on the language (stems, transliteration of Latin-typed
Russian, squeezing "stoooop") is done later per language, on these tokens.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

MAX_CHARS: Final = 2000

WORD: Final = "w"
NUMBER: Final = "n"
CLOCK: Final = "t"
BOUNDARY: Final = "b"

SENTENCE_END: Final = "#"
QUESTION: Final = "?"

_APOSTROPHES = "\u2019\u02bc\u2018`\u00b4"
_CYRILLIC = str.maketrans({"ь": None, "ъ": None, "э": "е"})
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_SPACE_LIKE = {"Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_ASCII = str.maketrans({chr(i): " " for i in range(32) if chr(i) != "\n"} | {"\x7f": " ", "`": "'"})

_TOKEN = re.compile(
    r"(?P<t>(?<!\d)\d{1,2}[:.]\d{2}(?![\d:.]\d))"
    r"|(?P<w>[^\W\d_]+(?:['\-\u2010][^\W\d_]+)*)"
    r"|(?P<n>\d+)"
    r"|(?P<q>\?)"
    r"|(?P<b>[.!;:,\n\u00a1\u3002]|(?<!\S)[-\u2013\u2014]+(?!\S))"
)

_JOINERS = re.compile("['\\-\u2010]")

_fold_cache: dict[str, str] = {}
_FOLD_CACHE_SIZE = 50_000


class Token(NamedTuple):
    """A word, number, clock time or boundary, with its span in the original text.

    A named tuple: a reply has a few dozen and they are made for every
    reply, so construction cost counts. ``key`` is the folded form,
    apostrophes and hyphens inside it removed
    ("don't" → "dont", "opt-out" → "optout", "стоп-лист" → "стоплист");
    ``#`` for a sentence boundary, ``?`` for a question mark.
    """

    kind: str
    key: str
    start: int
    end: int


def fold_char(char: str) -> str:
    """One character, folded: what it reads as for matching ("" when it vanishes)."""
    cached = _fold_cache.get(char)
    if cached is not None:
        return cached
    category = unicodedata.category(char)
    if char == "\n" or char in "\r\x0b\x0c\x85\u2028\u2029":
        folded = "\n"
    elif char in _APOSTROPHES:
        folded = "'"
    elif category in _DROPPED:
        # Format characters (zero-width joiners, soft hyphens) sit inside
        # words; control, surrogate and unassigned ones separate them.
        folded = " " if category in _SPACE_LIKE else ""
    else:
        decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char).casefold())
        folded = "".join(
            c for c in decomposed if unicodedata.category(c) not in ("Mn", "Me")
        ).translate(_CYRILLIC)
    if len(_fold_cache) < _FOLD_CACHE_SIZE:
        _fold_cache[char] = folded
    return folded


def fold(text: str) -> str:
    """The whole text folded, without offsets: used for rule words."""
    return "".join(fold_char(c) for c in text)


def tokenize(text: str) -> tuple[tuple[Token, ...], bool]:
    """The tokens of ``text`` (its first MAX_CHARS characters) and whether it was cut.

    Boundaries are collapsed (a question mark wins over other punctuation)
    and never lead; only a question mark may trail ("what does STOP do?").
    """
    cut = len(text) > MAX_CHARS
    if cut:
        text = text[:MAX_CHARS]
    folded, offsets = _fold_with_offsets(text)
    tokens: list[Token] = []
    for m in _TOKEN.finditer(folded):
        kind = m.lastgroup or BOUNDARY
        start, end = m.span()
        if offsets is not None:
            start, end = offsets[start], offsets[end - 1] + 1
        if kind in ("q", BOUNDARY):
            mark = QUESTION if kind == "q" else SENTENCE_END
            if tokens and tokens[-1].kind == BOUNDARY:
                if mark == QUESTION:
                    tokens[-1] = Token(BOUNDARY, QUESTION, tokens[-1].start, end)
                continue
            if tokens:
                tokens.append(Token(BOUNDARY, mark, start, end))
            continue
        key = _JOINERS.sub("", m.group()) if kind == WORD else m.group()
        tokens.append(Token(kind, key, start, end))
    if tokens and tokens[-1].key == SENTENCE_END:
        tokens.pop()
    return tuple(tokens), cut


def _fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when lengths changed, each folded char's original index."""
    if text.isascii():
        return text.translate(_ASCII).lower(), None
    parts = [fold_char(c) for c in text]
    folded = "".join(parts)
    if len(folded) == len(text) and all(len(p) == 1 for p in parts):
        return folded, None
    offsets = [i for i, part in enumerate(parts) for _ in part]
    return folded, offsets
