"""Page images of every document the toolkit writes, for maintainers to look at.

    python .tools/page_images.py 页面图片 [--register 登记表.xlsx] [--returns 回收表文件夹] [-q 3]

Without options it uses the shipped sample (data/register.xlsx and
data/returns/2023Q3). In a desk workspace made inside the output folder it
generates the forms and the 分发清单, files the returns, writes the 一览表
(.docx, .xlsx, its PDF and its 公开版), the 问题清单, the 督查通报 draft, and one notice of each kind the
quarter calls for (a blank form is filed for a unit that sent nothing, so
that there is a 报送材料不符合要求的通知 to look at too). LibreOffice prints
every document to PDF in one run, and pdftoppm (poppler-utils) turns each
page into `<输出>/<文件名>/page-N.png`. Not part of the installed package.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.desk.notice import NoticeInfo, notice_kind, notice_title, write_notice  # noqa: E402
from toolkit.desk.workspace import REGISTER_NAME, Workspace  # noqa: E402
from toolkit.forms.generate import DISTRIBUTION_LIST  # noqa: E402
from toolkit.office.libreoffice import convert  # noqa: E402


def documents(
    out: Path, register: Path, returns: Path, quarter: int
) -> tuple[list[Path], list[Path]]:
    """Make every kind of document in a workspace under `out`: (the documents, the PDFs the
    toolkit writes itself: the 一览表's and its 公开版's)."""
    root = out / "工作台"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy(register, root / (Path(REGISTER_NAME).stem + register.suffix))
    ws = Workspace(root)
    period = ws.period(None, quarter)
    ws.generate(period)
    for path in sorted(returns.glob("*.docx")):
        ws.file_return(period, path.name, path.read_bytes())
    result = ws.merge(period)
    needed = {notice_kind(result, u.unit): u.unit for u in result.units}
    if "notice-nonconforming" not in needed and "notice-reminder" in needed:
        form = ws.form_files(period)[needed["notice-reminder"]]  # a blank form, sent back
        ws.file_return(period, form.name, form.read_bytes())
    files = ws.summarise(period, pdf=True, public=True)
    result = ws.merge(period)
    forms = list(ws.form_files(period).values())
    made = [*forms[:2], ws.forms_dir(period) / DISTRIBUTION_LIST]
    made += [files.docx, files.xlsx, files.report, ws.report(period).docx]
    written: set[str] = set()
    for status in result.units:
        kind = notice_kind(result, status.unit)
        if kind is None or kind in written:
            continue
        written.add(kind)
        target = ws.notice_path(period, status.unit, notice_title(kind))
        info = NoticeInfo(ws.deadline(period), ws.issuer() or "（发文单位）")
        made.append(write_notice(result, status.unit, target, kind=kind, info=info))
    assert files.pdf is not None and files.public is not None
    return made, [files.pdf, files.public.pdf]


def page_images(out: Path, register: Path, returns: Path, quarter: int) -> list[Path]:
    made, printed = documents(out, register, returns, quarter)
    pdfs = convert(made, "pdf", out / "pdf")
    images = []
    for name, pdf in [*((s.name, p) for s, p in pdfs.items()), *((p.name, p) for p in printed)]:
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(folder / "page")],
            check=True,
            timeout=300,
        )
        images += sorted(folder.glob("page-*.png"))
    return images


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="把 toolkit 写出的每种文档渲染为页面图片（PNG）。")
    parser.add_argument("out", type=Path, help="输出文件夹")
    parser.add_argument("--register", type=Path, default=ROOT / "data" / "register.xlsx")
    parser.add_argument("--returns", type=Path, default=ROOT / "data" / "returns" / "2023Q3")
    parser.add_argument("--quarter", "-q", type=int, default=3)
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("需要 pdftoppm（poppler-utils）。", file=sys.stderr)
        return 2
    images = page_images(args.out.resolve(), args.register, args.returns, args.quarter)
    for image in images:
        print(image)
    print(f"共 {len(images)} 页。", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
