"""Which page of a list to show, read from the query string the same way by every list."""
from flask import abort

from ..paging import MAX_PAGE


def page_number(args) -> int:
    """`page` as a whole number from 1; missing or not a number reads as 1, a number past any list
    (beyond MAX_PAGE, where offsets would overflow the database) is a page that does not exist."""
    raw = (args.get("page") or "").strip()
    if not (raw.isascii() and raw.lstrip("-").isdigit()):
        return 1
    number = int(raw) if len(raw) <= 12 else MAX_PAGE + 1
    if number > MAX_PAGE:
        abort(404)
    return max(number, 1)
