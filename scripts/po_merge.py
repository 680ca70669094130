"""A git merge driver for .po catalogs: the union of both sides, translations kept.

Set up once per clone (make does it): git config merge.po.driver "python3 scripts/po_merge.py %O %A %B"
"""
import sys

from babel.messages.pofile import read_po, write_po


def load(path):
    with open(path, "rb") as fh:
        return read_po(fh, locale="vi")


def main(base_path: str, ours_path: str, theirs_path: str) -> int:
    ours, theirs = load(ours_path), load(theirs_path)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None:
            ours[message.id] = message
        elif not mine.string and message.string:
            mine.string = message.string
    with open(ours_path, "wb") as fh:
        write_po(fh, ours, width=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
