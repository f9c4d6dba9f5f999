"""Prepared templates cached between runs: same documents, same errors, only faster."""

from __future__ import annotations

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


def _document(template: PreparedTemplate) -> bytes:
    return template.render_parts(samples.sample_context("form"))[DOCUMENT_PART]


def test_a_second_run_renders_the_same_from_the_cache(cache: Path) -> None:
    first = PreparedTemplate(FORM)
    entries = sorted(p.name for p in cache.iterdir())
    assert len(entries) == len(first.templates)  # one per rendered part
    second = PreparedTemplate(FORM)
    assert sorted(p.name for p in cache.iterdir()) == entries
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
    for entry in cache.iterdir():
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
    assert len(list(cache.iterdir())) == 3
    assert template_cache.load(b"5") == ("源", code)
