"""Fill Vietnamese translations into the catalog: python scripts/po_fill.py FILE.json

The JSON maps English msgids to Vietnamese (a plural message by its singular msgid: Vietnamese has one form).
Existing translations are kept unless the JSON gives a new one.
"""
import json
import sys

from babel.messages.pofile import read_po, write_po

PO = "tracker/translations/vi/LC_MESSAGES/messages.po"


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        translations = json.load(fh)
    with open(PO, "rb") as fh:
        catalog = read_po(fh, locale="vi")
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id  # a plural: its singular
        if key and key in translations:
            value = translations[key]
            message.string = (value,) * catalog.num_plurals if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
    with open(PO, "wb") as fh:
        write_po(fh, catalog, width=110)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(missing)} untranslated" + (":\n  " + "\n  ".join(map(str, missing)) if missing else ""))


if __name__ == "__main__":
    main(sys.argv[1])
