"""Refresh the English catalog from the templates and the code labels.

Usage: .venv/bin/python scripts/update_catalog.py
Extracts every `_()` string from the templates (Bahasa Indonesia is the source language) and the
labels in cc112.web.labels, merges them into src/cc112/web/locale/en/LC_MESSAGES/messages.po
(keeping existing translations) and lists what still lacks an English text.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/cc112/web/locale/en/LC_MESSAGES/messages.po"


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from cc112.public.present import PUBLIC_STATUS
    from cc112.public.service import PUBLIC_TEXT
    from cc112.web.labels import LABELS

    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
                        "-o", str(pot), "--no-location", "--omit-header", str(ROOT)], check=True, capture_output=True)
        with pot.open("rb") as fh:
            template = read_po(fh)
    for text in [*LABELS.values(), *PUBLIC_STATUS.values(), *PUBLIC_TEXT.values()]:
        template.add(text)
    old = Catalog(locale="en")
    if PO.exists():
        with PO.open("rb") as fh:
            old = read_po(fh, locale="en")
    new = Catalog(locale="en", project="cc112", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        previous = old.get(message.id)
        new.add(message.id, previous.string if previous else "")
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as fh:
        write_po(fh, new, omit_header=False, sort_output=True, width=120)
    missing = [m.id for m in new if m.id and not m.string]
    print(f"{len(new)} messages, {len(missing)} without English text")
    for m in missing:
        print("  -", m)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
