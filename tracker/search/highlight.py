"""The matching words of a search, marked in the original (accented) text; everything else escaped.

Matching is on folded words (text.words) but people read the text as written: "dia chinh" marks
"địa chính". Folding keeps one character per character for Vietnamese text, so positions carry over;
any other text is folded character by character to keep the map.
"""
from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

from ..text import fold

_WORD = re.compile(r"[^\W_]+")
SNIPPET_WIDTH = 240


def _folded_with_positions(text: str) -> tuple[str, list[int] | None]:
    """The folded text, and for each of its characters the position in `text` (None: the same position)."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    chars, positions = [], []
    for index, char in enumerate(text):
        piece = fold(char)
        chars.append(piece)
        positions.extend([index] * len(piece))
    return "".join(chars), positions


def _spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """(start, end) in `text` of every word whose folded form is one of `terms`."""
    if not terms or not text:
        return []
    folded, positions = _folded_with_positions(text)
    spans = []
    for word in _WORD.finditer(folded):
        if word.group() in terms:
            start, end = word.start(), word.end()
            if positions is not None:
                start, end = positions[start], positions[end - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1  # an accent typed as its own character belongs to the word
            spans.append((start, end))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Markup:
    end = len(text) if end is None else end
    parts, cursor = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[cursor:span_start]))
        parts.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    return Markup("").join(parts)


def highlight(text: str | None, terms) -> Markup:
    """The whole text, escaped, with the words of `terms` (folded) in <mark>."""
    text = text or ""
    return _marked(text, _spans(text, set(terms)))


def snippet(texts, terms, width: int = SNIPPET_WIDTH) -> Markup | None:
    """About `width` characters around the first matching word of the first text that has one, marked;
    None when no text matches."""
    wanted = set(terms)
    for text in texts:
        spans = _spans(text or "", wanted)
        if spans:
            first = spans[0][0]
            start = max(0, first - width // 3)
            end = min(len(text), start + width)
            start = _word_boundary(text, start, backwards=True)
            end = _word_boundary(text, end, backwards=False)
            marked = _marked(text, spans, start, end)
            return Markup("").join([Markup("… ") if start else "", marked, Markup(" …") if end < len(text) else ""])
    return None


def _word_boundary(text: str, position: int, backwards: bool) -> int:
    """Move to the nearest space so a snippet does not cut a word (at most 20 characters away)."""
    step = -1 if backwards else 1
    for offset in range(20):
        probe = position + step * offset
        if probe <= 0 or probe >= len(text):
            return max(0, min(probe, len(text)))
        if text[probe].isspace():
            return probe + (1 if backwards else 0)
    return position
