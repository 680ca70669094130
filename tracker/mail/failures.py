"""Why an email could not be delivered, in words an administrator reads in the UI's language.

The outbox keeps the raw error delivery.py recorded (the SMTP code and text, or the network error); this maps
it to an explanation and the setting to check. The raw detail is always shown beside it.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

_CODE = re.compile(r"(?:^|[:;] )(\d)(\d\d) ")

# (pattern in the raw error, explanation): the first that matches wins.
_KNOWN = [
    (re.compile(r"^message could not be built"),
     _l("The message could not be built (an invalid address or header); sending it again will not help.")),
    (re.compile(r"ConnectionRefused|Connection refused"),
     _l("The mail server refused the connection: check MAIL_SERVER and MAIL_PORT, and that the server runs.")),
    (re.compile(r"gaierror|Name or service not known|nodename nor servname|No address associated"),
     _l("The mail server's name was not found: check MAIL_SERVER.")),
    (re.compile(r"Timeout|timed out"),
     _l("The mail server did not answer in time (MAIL_TIMEOUT seconds): it may be down or blocked.")),
    (re.compile(r"SSL|TLS|STARTTLS", re.IGNORECASE),
     _l("The secure connection failed: check MAIL_USE_TLS and MAIL_PORT.")),
    (re.compile(r"(?:^|[:;] )53[045] |Authentication|AUTH", re.IGNORECASE),
     _l("The mail server refused the login: check MAIL_USERNAME and MAIL_PASSWORD.")),
    (re.compile(r"(?:^|[:;] )552 |too large|size", re.IGNORECASE),
     _l("The message is too large for the mail server.")),
    (re.compile(r"(?:^|[:;] )55[0-3] "),
     _l("The recipient's address was refused by the mail server.")),
    (re.compile(r"Disconnected|Connection unexpectedly closed|reset by peer"),
     _l("The mail server closed the connection; the message will be tried again.")),
]
_TEMPORARY = _l("The mail server asked to try again later; the message will be tried again.")
_OTHER = _l("The mail server did not accept the message.")


def explain(raw: str | None):
    """A translated explanation of a recorded delivery error (None when there is none)."""
    if not raw:
        return None
    for pattern, explanation in _KNOWN:
        if pattern.search(raw):
            return explanation
    code = _CODE.search(raw)
    if code and code.group(1) == "4":
        return _TEMPORARY
    return _OTHER
