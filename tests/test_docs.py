"""Help texts name documentation the user has: the docs ship inside the package."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from support.cli import invoke
from toolkit.docs import TOPICS, find

from toolkit.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]


def help_texts(group: click.Group = cli) -> list[str]:
    texts = [group.help or ""]
    for name in group.list_commands(click.Context(group)):
        cmd = group.get_command(click.Context(group), name)
        assert cmd is not None
        if isinstance(cmd, click.Group):
            texts += help_texts(cmd)
            continue
        texts.append(cmd.help or "")
        texts += [p.help or "" for p in cmd.params if isinstance(p, click.Option)]
    return texts


def test_every_document_a_help_text_names_is_shipped() -> None:
    named = [
        m for text in help_texts() for m in re.findall(r"toolkit docs (\S+?)[。，；）\s]", text)
    ]
    assert {"模板", "登记表", "工作台"} <= set(named)
    for topic in named:
        found = find(topic)
        assert found is not None, topic
        assert found.path().is_file(), found.path()
    # No help text points into the source tree, which an installed user does not have.
    assert not [t for t in help_texts() if re.search(r"docs/\S+\.md", t)]


def test_every_topic_is_a_document_of_the_repository() -> None:
    shipped = {t.file for t in TOPICS}
    assert shipped == {p.name for p in (ROOT / "docs").glob("*.md")}
    for topic in TOPICS:
        assert topic.path() == (ROOT / "docs" / topic.file).resolve() or topic.path().is_file()


def test_docs_lists_the_topics_and_prints_one() -> None:
    listing = invoke("docs")
    assert listing.exit_code == 0 and "toolkit docs 模板" in listing.stdout
    shown = invoke("docs", "模板")
    assert shown.exit_code == 0
    assert shown.stdout.strip() == (ROOT / "docs" / "templates.md").read_text("utf-8").strip()
    assert invoke("docs", "templates.md", "--path").stdout.strip().endswith("templates.md")


@pytest.mark.parametrize("topic", ["模版", "nothing"])
def test_an_unknown_topic_lists_the_known_ones(topic: str) -> None:
    result = invoke("docs", topic)
    assert result.exit_code == 2 and "可用的主题：登记表" in result.stderr
