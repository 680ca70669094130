"""A local mail catcher for `make run` when no MAIL_SERVER is configured: a real SMTP server (aiosmtpd) on a
loopback port that keeps every message it accepts as an .eml file, so a newcomer can read what was sent."""
from __future__ import annotations

import datetime as dt
import itertools
import socket
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller


class MailCatcher:
    """SMTP handler: each accepted message becomes `<directory>/<time>-<n>.eml`; nothing is relayed."""

    def __init__(self, directory: Path, announce=print):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.announce = announce
        self._numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        path = self.directory / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{next(self._numbers):04d}.eml"
        path.write_bytes(content)
        subject = message_from_bytes(content, policy=policy.default)["Subject"] or ""
        self.announce(f"mail caught for {', '.join(envelope.rcpt_tos)}: {subject} -> {path}")
        return "250 Message caught (not delivered)"


def free_port(host: str, preferred: int) -> int:
    """`preferred` when it is free, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError("no free port for the mail catcher")


def start_catcher(directory: Path, host: str = "127.0.0.1", port: int = 1025, announce=print) -> Controller:
    """Start the catcher in a background thread; returns its controller (stop() ends it)."""
    controller = Controller(MailCatcher(directory, announce), hostname=host, port=free_port(host, port))
    controller.start()
    return controller
