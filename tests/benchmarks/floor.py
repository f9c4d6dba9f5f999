"""The whole-process floors `bench.py` compares toolkit's commands with.

A floor process does the least any tool must do for the same job, and
imports only zipfile and lxml:

    python floor.py generate REGISTER FORMS_DIR OUT_DIR
        parse the register's sheet XML, then write every form's bytes
        (read each generated form's entries, write a new zip with the same
        compression);
    python floor.py merge REGISTER RETURNS_DIR OUTPUTS_DIR OUT_DIR
        parse the register's sheet XML, unzip and parse every return's
        word/document.xml, then write the merge's outputs' bytes (re-pack
        the files OUTPUTS_DIR holds, as above).

`bench.py` also imports `parse_register` for the register-reading floor.
"""

import os
import sys
import zipfile

from lxml import etree


def parse_register(path: str) -> None:
    """Every worksheet and the shared strings of a workbook, parsed by lxml."""
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet") or name == "xl/sharedStrings.xml":
                etree.fromstring(zf.read(name))


def repack(source: str, target: str) -> None:
    with zipfile.ZipFile(source) as zin:
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            zout.writestr(info, data, compress_type=info.compress_type)


def _files(folder: str, suffixes: tuple[str, ...]) -> list[str]:
    names = sorted(n for n in os.listdir(folder) if n.endswith(suffixes) and n[0] != ".")
    return [os.path.join(folder, n) for n in names]


def _repack_all(sources: list[str], out: str) -> None:
    os.makedirs(out, exist_ok=True)
    for n, source in enumerate(sources):
        repack(source, os.path.join(out, f"{n}{os.path.splitext(source)[1]}"))


def main(argv: list[str]) -> int:
    job, register, *folders = argv
    parse_register(register)
    if job == "generate":
        forms, out = folders
        _repack_all(_files(forms, (".docx",)), out)
    elif job == "merge":
        returns, outputs, out = folders
        for path in _files(returns, (".docx",)):
            with zipfile.ZipFile(path) as zf:
                etree.fromstring(zf.read("word/document.xml"))
        _repack_all(_files(outputs, (".docx", ".xlsx")), out)
    else:
        raise SystemExit(f"unknown floor: {job}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
