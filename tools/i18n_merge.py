"""Merge the exported .pot into the addon's .po files (used by `make i18n`).

New terms are added untranslated, terms gone from the .pot are dropped, and the
translation coverage of each language is printed.

Usage: python3 tools/i18n_merge.py i18n/sale_fulfillment.pot i18n/zh_CN.po ...
"""

import sys
from pathlib import Path

import polib


def merge(pot_path, po_path):
    pot = polib.pofile(str(pot_path))
    lang = po_path.stem
    if po_path.exists():
        po = polib.pofile(str(po_path))
    else:
        po = polib.POFile()
        po.metadata = dict(pot.metadata)
    po.merge(pot)
    for entry in [entry for entry in po if entry.obsolete]:
        po.remove(entry)
    po.metadata.update(
        {
            "Language": lang,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "",
            "Plural-Forms": "nplurals=1; plural=0;",
        }
    )
    po.save(str(po_path))
    return po.percent_translated()


def main(pot_path, *po_paths):
    for po_path in map(Path, po_paths):
        percent = merge(Path(pot_path), po_path)
        print(f"{po_path}: {percent}% translated")


if __name__ == "__main__":
    main(*sys.argv[1:])
