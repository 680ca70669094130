"""Which page of a list to show, read from the query string the same way by every list."""
MAX_PAGE = 100_000  # far past any list; an offset beyond it would only overflow the database's integers


def page_number(args) -> int:
    """`page` as a whole number from 1 to MAX_PAGE; anything else (missing, text, huge) reads as a bound."""
    raw = (args.get("page") or "").strip()
    try:
        number = int(raw) if raw.isascii() and len(raw) <= 12 else 1
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)
