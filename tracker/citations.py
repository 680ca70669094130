"""The legal document an obstacle cites, read from its legal basis: what the policy list groups by.

Vietnamese documents are cited by kind and number as the state writes them: `Nghị định 150/2025/NĐ-CP`,
`Thông tư 24/2025/TT-BNV`, `Công văn 4168/BNV-CQDP`. The first one cited is the document the obstacle is
about; it is stored (tickets.legal_document) so lists filter and group on it in SQL.
"""
from __future__ import annotations

import re

MAX_LENGTH = 120
KINDS = ("Bộ luật", "Luật", "Nghị định", "Nghị quyết", "Thông tư liên tịch", "Thông tư", "Quyết định",
         "Chỉ thị", "Công văn", "Công điện", "Kết luận", "Hướng dẫn", "Thông báo")
_NUMBER = r"\d{1,6}(?:/\d{4})?/[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*"
_CITED = re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in KINDS) + r")\s+(?:số\s+)?(" + _NUMBER + ")",
                    re.IGNORECASE)
_BARE = re.compile(r"(?<![\w/])(\d{1,6}/\d{4}/[0-9A-Za-zĐđ]+(?:-[0-9A-Za-zĐđ]+)*)")
_KIND_BY_LOWER = {k.lower(): k for k in KINDS}


def cited_document(legal_basis: str | None) -> str:
    """`Nghị định 150/2025/NĐ-CP` for "theo khoản 2 Điều 5 nghị định số 150/2025/nđ-cp ..."; "" when none.

    The kind is written as the state writes it and the number in capitals (`TTg` stays as cited).
    """
    text = " ".join((legal_basis or "").split())
    found = _CITED.search(text)
    if found:
        kind = _KIND_BY_LOWER.get(found.group(1).lower(), found.group(1))
        return f"{kind} {_number(found.group(2))}"[:MAX_LENGTH]
    bare = _BARE.search(text)
    return _number(bare.group(1))[:MAX_LENGTH] if bare else ""


def _number(value: str) -> str:
    """Upper-case the issuer's letters, except a trailing `TTg` (the Prime Minister), written so by the state."""
    upper = value.upper()
    return upper[:-3] + "TTg" if upper.endswith(("-TTG", "/TTG")) else upper
