"""Prepared templates cached between runs: same documents, same errors, only faster."""

from __future__ import annotations

import marshal
import os
import secrets
import stat
import zipfile
from pathlib import Path

import pytest
from toolkit.templates import default_path

from toolkit.errors import TemplateError
from toolkit.forms import template_cache
from toolkit.forms.rendering import DOCUMENT_PART, PreparedTemplate
from toolkit.templating import samples

FORM = default_path("form")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(folder))
    return folder


def _copy_with(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "模板.docx"
    with zipfile.ZipFile(FORM) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == DOCUMENT_PART:
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            zout.writestr(info, data)
    return target


def _entries(cache: Path) -> list[Path]:
    """The cached parts (the signing key beside them is not one)."""
    return sorted(p for p in cache.iterdir() if p.name != template_cache.KEY_FILE)


def _document(template: PreparedTemplate) -> bytes:
    return template.render_parts(samples.sample_context("form"))[DOCUMENT_PART]


def test_a_second_run_renders_the_same_from_the_cache(cache: Path) -> None:
    first = PreparedTemplate(FORM)
    entries = _entries(cache)
    assert len(entries) == len(first.templates)  # one per rendered part
    second = PreparedTemplate(FORM)
    assert _entries(cache) == entries
    assert second.sources == first.sources
    assert _document(second) == _document(first)


def test_the_cache_is_what_is_used(cache: Path) -> None:
    """An entry planted under the form's key is what renders: the cache is really read."""
    first = PreparedTemplate(FORM)
    with zipfile.ZipFile(FORM) as zf:
        data = zf.read(DOCUMENT_PART)
    planted = first.sources[DOCUMENT_PART].replace("{{ unit }}", "缓存中的版本")
    template_cache.store(data, planted, first.environment.compile(planted))
    assert "缓存中的版本".encode() in _document(PreparedTemplate(FORM))


def test_damaged_entries_are_prepared_again(cache: Path) -> None:
    expected = _document(PreparedTemplate(FORM))
    for entry in _entries(cache):
        entry.write_bytes(b"\x00not marshal")
    assert _document(PreparedTemplate(FORM)) == expected
    assert _document(PreparedTemplate(FORM)) == expected  # and rewritten


def test_an_unusable_cache_folder_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("TOOLKIT_CACHE_DIR", str(blocker / "cache"))
    expected = PreparedTemplate(FORM).sources
    assert PreparedTemplate(FORM).sources == expected
    assert blocker.read_text(encoding="utf-8") == "x"


def test_syntax_errors_are_reported_every_run_and_never_cached(cache: Path, tmp_path) -> None:
    broken = _copy_with(tmp_path, "{{ row.co }}", "{{ row.co ")
    for _ in range(2):
        with pytest.raises(TemplateError, match="语法错误"):
            PreparedTemplate(broken)
    with zipfile.ZipFile(broken) as zf:
        assert template_cache.load(zf.read(DOCUMENT_PART)) is None


def test_the_sandbox_holds_for_cached_code(cache: Path, tmp_path) -> None:
    hostile = _copy_with(tmp_path, "{{ row.co }}", "{{ ''.__class__.__mro__ }}")
    for _ in range(2):  # prepared, then loaded from the cache
        with pytest.raises(TemplateError, match="不允许的操作"):
            PreparedTemplate(hostile).render_parts(samples.sample_context("form"))


def test_old_entries_are_pruned(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template_cache, "MAX_ENTRIES", 3)
    code = compile("", "<x>", "exec")
    for n in range(6):
        template_cache.store(str(n).encode(), "源", code)
    assert len(_entries(cache)) == 3
    assert template_cache.load(b"5") == ("源", code)


# ---------------------------------------------------------------- integrity

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX owners and modes")


def _plant(cache: Path, marker: Path) -> tuple[Path, bytes]:
    """Store, for the form's document part, code that renders it and also writes `marker`.

    Returns the entry and its payload. Stored through the cache itself, so the
    entry is correctly signed: as written here, it runs.
    """
    first = PreparedTemplate(FORM)
    with zipfile.ZipFile(FORM) as zf:
        data = zf.read(DOCUMENT_PART)
    source = first.sources[DOCUMENT_PART]
    raw = first.environment.compile(source, raw=True)
    code = compile(f"open({str(marker)!r}, 'w').write('ran')\n{raw}", "<template>", "exec")
    template_cache.store(data, source, code)
    payload = marshal.dumps((source, code))
    entry = next(p for p in _entries(cache) if p.read_bytes().endswith(payload))
    return entry, payload


def test_a_signed_entry_is_what_runs(cache: Path, tmp_path: Path) -> None:
    """The control for the tests below: the planted entry, signed, does write its marker."""
    marker = tmp_path / "ran"
    _plant(cache, marker)
    assert not marker.exists()
    PreparedTemplate(FORM)
    assert marker.read_text() == "ran"


def test_an_entry_with_a_wrong_signature_is_prepared_again_never_run(
    cache: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    entry, payload = _plant(cache, marker)
    entry.write_bytes(secrets.token_bytes(32) + payload)  # written without the key
    expected = _document(PreparedTemplate(FORM))
    assert not marker.exists()
    assert not entry.read_bytes().endswith(payload)  # replaced by a freshly prepared entry
    assert _document(PreparedTemplate(FORM)) == expected
    assert not marker.exists()


@posix_only
def test_a_folder_others_may_write_to_is_not_used(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    _plant(cache, marker)
    cache.chmod(0o777)
    before = {p.name: p.read_bytes() for p in cache.iterdir()}
    PreparedTemplate(FORM)
    assert not marker.exists()
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before  # nor written to


@posix_only
def test_an_entry_others_may_write_to_is_not_used(cache: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    entry, _ = _plant(cache, marker)
    entry.chmod(0o666)
    PreparedTemplate(FORM)
    assert not marker.exists()


@posix_only
def test_the_key_is_private_and_replaced_when_others_may_read_it(
    cache: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    _plant(cache, marker)
    key = cache / template_cache.KEY_FILE
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    old = key.read_bytes()
    key.chmod(0o644)  # anyone could have signed an entry with it
    PreparedTemplate(FORM)
    assert not marker.exists()
    assert key.read_bytes() != old and stat.S_IMODE(key.stat().st_mode) == 0o600
