"""A unit's file never makes the toolkit reach the network (docs/reliability.md).

A local HTTP server on 127.0.0.1 counts every request. Returns that link to
it are merged and uploaded to the desk: an .odt with a linked image, a .docx
with an external image relationship renamed .doc and .wps, an RTF with an
INCLUDEPICTURE field, a Word 97 .doc with INCLUDEPICTURE and a web page
saved as .doc. The Word 97 file is made by a LibreOffice run without the
toolkit's protections, which the server must see: the control that these
files do fetch when nothing stops them. Then the server must see nothing,
with every layer and without the network namespace (what Windows and macOS
get).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import warnings
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree
from support import bad_files as bf
from support.cli import invoke
from support.lo import require_libreoffice

from toolkit.desk.app import create_app
from toolkit.desk.workspace import REGISTER_NAME
from toolkit.office import libreoffice
from toolkit.office.links import strip_links
from toolkit.office.ooxml import REL_NS

with warnings.catch_warnings():
    # Newer Starlette prefers the httpx2 package but still works with httpx.
    warnings.filterwarnings("ignore", message="Using `httpx`")
    from starlette.testclient import TestClient

pytestmark = pytest.mark.libreoffice

IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
ODF_NS = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
}


class Beacon:
    """An HTTP server that answers 404 to everything and remembers every request."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        beacon = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one_request(self) -> None:
                self.raw_requestline = self.rfile.readline(65537)
                if self.raw_requestline and self.parse_request():
                    beacon.requests.append(f"{self.command} {self.path}")
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def beacon() -> Iterator[Beacon]:
    server = Beacon()
    yield server
    server.server.shutdown()


# ---------------------------------------------------------------- the linked returns


def _docx_with_external_image(src: Path, dst: Path, url: str) -> Path:
    """The filled form with a picture whose image is an external relationship."""
    with zipfile.ZipFile(src) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    rels = etree.fromstring(entries["word/_rels/document.xml.rels"])
    etree.SubElement(
        rels, f"{{{REL_NS}}}Relationship", Id="rIdBeacon", Type=IMAGE_REL, Target=url,
        TargetMode="External",
    )  # fmt: skip
    entries["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True)
    picture = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing"><wp:extent cx="914400" cy="914400"/>'
        '<wp:docPr id="99" name="beacon"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/'
        '2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/'
        'picture"><pic:nvPicPr><pic:cNvPr id="99" name="beacon"/><pic:cNvPicPr/></pic:nvPicPr>'
        '<pic:blipFill><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships" r:link="rIdBeacon"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/></a:xfrm>'
        '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline>'
        "</w:drawing></w:r></w:p>"
    )
    document = entries["word/document.xml"].decode()
    entries["word/document.xml"] = document.replace("<w:sectPr", picture + "<w:sectPr", 1).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return dst


def _odt_with_linked_image(odt: Path, dst: Path, url: str) -> Path:
    with zipfile.ZipFile(odt) as zf:
        infos = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(dst, "w") as zf:
        for info, data in infos:
            if info.filename == "content.xml":
                root = etree.fromstring(data)
                first = next(root.iter(f"{{{ODF_NS['text']}}}p"))
                frame = etree.SubElement(first, f"{{{ODF_NS['draw']}}}frame", nsmap=ODF_NS)
                frame.set(f"{{{ODF_NS['svg']}}}width", "1cm")
                frame.set(f"{{{ODF_NS['svg']}}}height", "1cm")
                frame.set(f"{{{ODF_NS['text']}}}anchor-type", "as-char")
                image = etree.SubElement(frame, f"{{{ODF_NS['draw']}}}image")
                for name, value in (("href", url), ("type", "simple"), ("show", "embed")):
                    image.set(f"{{{ODF_NS['xlink']}}}{name}", value)
                image.set(f"{{{ODF_NS['xlink']}}}actuate", "onLoad")
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
            zf.writestr(info, data)
    return dst


def _rtf_with_includepicture(rtf: Path, dst: Path, url: str) -> Path:
    data = rtf.read_bytes().rstrip()
    assert data.endswith(b"}")
    field = b'{\\field{\\*\\fldinst INCLUDEPICTURE "' + url.encode() + b'" \\\\d}{\\fldrslt }}'
    dst.write_bytes(data[:-1] + field + b"\\par}")
    return dst


def unprotected_soffice(src: Path, target: str, out: Path) -> None:
    """LibreOffice as a plain `soffice --convert-to` runs it: own profile, nothing else."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [require_libreoffice(), f"-env:UserInstallation={(out / 'profile').as_uri()}",
         "--headless", "--norestore", "--convert-to", target, "--outdir", str(out), str(src)],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory, beacon: Beacon) -> dict[str, object]:
    """The register and a folder of returns that link to the beacon, each at its own path."""
    require_libreoffice()
    root = tmp_path_factory.mktemp("linked")
    register = bf.small_register(root / "register.xlsx")
    forms = root / "forms"
    bf.generate(register, forms)
    filled = {
        u: bf.fill_form(bf.form_of(forms, u), root / f"filled-{u}.docx", bf.typed_rows(u))
        for u in bf.UNITS
    }
    returns = root / "returns"
    returns.mkdir()
    made = root / "made"
    _docx_with_external_image(filled["民治街道"], returns / "民治街道.doc", f"{beacon.url}/doc.png")
    _docx_with_external_image(filled["观湖街道"], returns / "观湖街道.wps", f"{beacon.url}/wps.png")
    plain = libreoffice.convert([filled["龙华街道"]], "odt", made)[filled["龙华街道"]]
    _odt_with_linked_image(plain, returns / "龙华街道.odt", f"{beacon.url}/odt.png")
    rtf = libreoffice.convert([filled["龙华街道"]], "rtf", made)[filled["龙华街道"]]
    _rtf_with_includepicture(rtf, returns / "龙华街道-rtf.rtf", f"{beacon.url}/rtf.png")
    (returns / "网页.doc").write_text(
        f'<html><head><link rel="stylesheet" href="{beacon.url}/html.css"></head>'
        f'<body><p>填报单位：观湖街道</p><img src="{beacon.url}/html.png"></body></html>',
        encoding="utf-8",
    )
    # The control: without the toolkit's protections LibreOffice fetches the
    # linked image, and keeps the link as an INCLUDEPICTURE field in Word 97.
    assert not beacon.requests
    source = _odt_with_linked_image(plain, made / "民治街道-97.odt", f"{beacon.url}/word97.png")
    unprotected_soffice(source, "doc:MS Word 97", made / "word97")
    assert any(r.startswith("GET /word97.png") for r in beacon.requests), beacon.requests
    word97 = made / "word97" / "民治街道-97.doc"
    assert "INCLUDEPICTURE".encode("utf-16-le") in word97.read_bytes()
    shutil.copyfile(word97, returns / "民治街道-97.doc")
    beacon.requests.clear()
    return {"root": root, "register": register, "returns": returns}


@pytest.fixture(params=["every layer", "no network namespace"])
def layers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "no network namespace":
        monkeypatch.setattr(libreoffice, "network_sandbox", lambda: ())
    return str(request.param)


# ---------------------------------------------------------------- merge and desk

STRIPPED = {
    "民治街道.doc": "/doc.png",
    "观湖街道.wps": "/wps.png",
    "龙华街道.odt": "/odt.png",
    "龙华街道-rtf.rtf": "/rtf.png",
}


def test_merge_of_linked_returns_sends_no_request(
    linked: dict, beacon: Beacon, layers: str, tmp_path: Path
) -> None:
    beacon.requests.clear()
    result = invoke(
        "merge", linked["returns"], "-r", linked["register"], "-q", "3",
        "--out", tmp_path / "一览表.docx", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert beacon.requests == []
    data = json.loads(result.stdout)
    links = {f["file"]: f["message"] for f in data["findings"] if f["code"] == "external_link"}
    assert sorted(links) == sorted(STRIPPED)
    for name, path in STRIPPED.items():
        assert f"{beacon.url}{path}" in links[name]
    assert {u["unit"]: u["status"] for u in data["units"]} == dict.fromkeys(bf.UNITS, "returned")


def test_desk_uploads_and_board_of_linked_returns_send_no_request(
    linked: dict, beacon: Beacon, layers: str, tmp_path: Path
) -> None:
    root = tmp_path / "desk"
    root.mkdir()
    shutil.copyfile(linked["register"], root / REGISTER_NAME)
    client = TestClient(create_app(root), base_url="http://127.0.0.1:8321")
    beacon.requests.clear()
    files = sorted(p for p in Path(linked["returns"]).iterdir())
    answer = client.post(
        "/p/2023Q3/upload",
        files=[("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in files],
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200
    results = {r["name"]: r for r in answer.json()["results"]}
    for name in ("民治街道.doc", "观湖街道.wps", "龙华街道.odt"):  # .rtf is not a desk upload
        assert "外部内容已删除" in results[name]["message"], results[name]
    assert client.get("/p/2023Q3").status_code == 200
    assert client.get("/p/2023Q3/u/" + "民治街道").status_code == 200
    assert beacon.requests == []


# ---------------------------------------------------------------- what is removed


def _content(path: Path) -> bytes:
    """A file's bytes; a zip package's entries, uncompressed."""
    if not zipfile.is_zipfile(path):
        return path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(i) for i in zf.infolist())


def test_links_are_removed_and_named_and_nothing_else_changes(
    linked: dict, beacon: Beacon, tmp_path: Path
) -> None:
    returns = Path(linked["returns"])
    for name, path in STRIPPED.items():
        out = tmp_path / name
        removed = strip_links(returns / name, out)
        assert len(removed) == 1 and removed[0].endswith(f"（{beacon.url}{path}）")
        assert beacon.url.encode() not in _content(out)
        assert strip_links(out, tmp_path / f"again-{name}") == []
    # Files that cannot be rewritten are copied as they are (the profile and
    # the namespace stop their links).
    for name in ("民治街道-97.doc", "网页.doc"):
        assert strip_links(returns / name, tmp_path / name) == []
        assert (tmp_path / name).read_bytes() == (returns / name).read_bytes()
