"""Text folding for accent-insensitive Vietnamese matching, and the words search works with."""
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def _fold_slowly(text: str) -> str:
    """The definition: lower case without accents; đ is its own letter, not a combining accent."""
    text = text.lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


class _FoldTable(dict):
    """Each character folded once, on first sight: str.translate then folds a whole text in C, which a
    million-row reindex needs. Folding character by character equals folding the text, because the
    accents that NFD separates are dropped and nothing is composed again."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_slowly(chr(code))
        return folded


_TABLE = _FoldTable()


def fold(text: str | None) -> str:
    """Lower case without Vietnamese accents; đ is its own letter, not a combining accent."""
    text = (text or "").lower()
    return text if text.isascii() else text.translate(_TABLE)


def words(text: str | None) -> list[str]:
    """The folded words of a text, in order: letters and digits; everything else separates them."""
    return _WORD.findall(fold(text))
