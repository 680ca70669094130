"""Text folding for accent-insensitive Vietnamese matching."""
import unicodedata


def fold(text: str | None) -> str:
    """Lower case without Vietnamese accents; đ is its own letter, not a combining accent."""
    text = (text or "").lower().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
