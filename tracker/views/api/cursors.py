"""Cursors of the API's keyset pages: the order and the key (moment, id) of the last row sent, as an opaque
URL-safe text. A cursor that is not one of ours, or of another order, is a 422 on `cursor`."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from flask_babel import lazy_gettext as _l

from ...queries import KEYSET_ORDERS
from .base import unprocessable

BAD_CURSOR = _l("This cursor is not valid: send the next_cursor of the previous page, with the same order.")


def write(order: str, ticket) -> str:
    moment = ticket.created_at if order == "newest" else ticket.updated_at
    raw = json.dumps({"o": order, "t": moment.isoformat(), "i": ticket.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def read(cursor: str, order: str) -> tuple[dt.datetime, int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        moment, last_id = dt.datetime.fromisoformat(data["t"]), data["i"]
        valid = (data["o"] == order and order in KEYSET_ORDERS and moment.tzinfo is not None
                 and isinstance(last_id, int) and 0 < last_id < 2**31 and 2000 <= moment.year <= 2100)
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, OverflowError):
        valid = False
    if not valid:
        raise unprocessable({"cursor": BAD_CURSOR})
    return moment, last_id
