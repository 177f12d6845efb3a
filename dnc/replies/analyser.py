"""Per language: a folded word → the stem and form its rules match on.

Inflected languages are matched on Snowball stems (PyStemmer: German,
Estonian, Lithuanian, Russian, English), so "helistada"/"helistate",
"звоните"/"звонить" and "löschen"/"loeschen" meet without suffix lists of
our own. Russian typed in Latin letters ("bolshe ne zvonite") is
transliterated to Cyrillic first. A word with a letter repeated three or
more times ("stoooop", "pleeease") is squeezed to the spelling the rules
know, trying two letters before one ("offff" → "off", "stooop" → "stop").

Results are cached per language: replies repeat the same few hundred words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import Stemmer

_CACHE_SIZE: Final = 200_000
_REPEAT = re.compile(r"([^\W\d_])\1\1+")
_LATIN = re.compile(r"[a-z]+")

# Latin → Cyrillic as Russians type without a Cyrillic keyboard (ISO 9 and
# the common phone habits), longest sequences first. Output is already
# folded (й → и, ё → е; ь is dropped), as normalise.fold would leave it.
_DIGRAPHS = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ts", "ц"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("ya", "я"),
    ("ja", "я"),
    ("yo", "е"),
    ("jo", "е"),
    ("ye", "е"),
    ("je", "е"),
    ("x", "кс"),
)
_LETTERS = str.maketrans("abvgdezijklmnoprstufhcqwy", "абвгдезииклмнопрстуфхцквы")
_DIGRAPH_MAP = dict(_DIGRAPHS)
_DIGRAPH = re.compile("|".join(d for d, _ in _DIGRAPHS))
# After a vowel "y" is й ("moy", "pozhaluysta"), read as и once folded;
# elsewhere it is ы ("vychеrknite", "bazy").
_Y_AFTER_VOWEL = re.compile("(?<=[aeiouyаеиоуыюя])y")

STEMMERS: Final = frozenset(Stemmer.algorithms())


class Analyser:
    """Stems and forms for one language; ``render`` gives a token as rules see it."""

    def __init__(self, stemmer: str | None, transliterate: bool) -> None:
        self._stemmer = Stemmer.Stemmer(stemmer) if stemmer else None
        self._transliterate = transliterate
        self._rendered: dict[str, str] = {}
        self._known_forms: frozenset[str] = frozenset()
        self._known_stems: frozenset[str] = frozenset()

    def know(self, forms: Iterable[str], stems: Iterable[str]) -> None:
        """The words the rules use: what a squeezed spelling is checked against."""
        self._known_forms = frozenset(forms)
        self._known_stems = frozenset(stems)
        self._rendered.clear()

    def form(self, word: str) -> str:
        """A folded word as this language reads it (transliterated when asked)."""
        if self._transliterate and _LATIN.fullmatch(word):
            return _to_cyrillic(word)
        return word

    def stem(self, form: str) -> str:
        if self._stemmer is None or not form.isalpha():
            return form
        stem: str = self._stemmer.stemWord(form)
        return stem

    def render(self, key: str) -> str:
        """A folded word token as ``stem/form``: what rule regexes run over."""
        found = self._rendered.get(key)
        if found is not None:
            return found
        form = self.form(self._squeeze(key) if _REPEAT.search(key) else key)
        found = f"{self.stem(form)}/{form}"
        if len(self._rendered) >= _CACHE_SIZE:
            self._rendered.clear()
        self._rendered[key] = found
        return found

    def _squeeze(self, key: str) -> str:
        double = self.form(_REPEAT.sub(r"\1\1", key))
        if double in self._known_forms or self.stem(double) in self._known_stems:
            return _REPEAT.sub(r"\1\1", key)
        return _REPEAT.sub(r"\1", key)


def _to_cyrillic(word: str) -> str:
    word = _DIGRAPH.sub(lambda m: _DIGRAPH_MAP[m.group()], word)
    return _Y_AFTER_VOWEL.sub("и", word).translate(_LETTERS)
