"""The user documentation, shipped inside the package as toolkit.docs.

`toolkit docs 模板` shows docs/templates.md to a user who has only the
installed toolkit; help texts name documents by these topics.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class Topic:
    file: str
    title: str
    names: tuple[str, ...]  # the first is the one help texts use

    def path(self) -> Path:
        return Path(str(resources.files(__name__).joinpath(self.file)))


TOPICS = (
    Topic("register.md", "登记表格式", ("登记表", "register")),
    Topic("checks.md", "回收表的读取与检查规则", ("检查", "规则", "checks")),
    Topic("templates.md", "模板维护指南", ("模板", "templates")),
    Topic("desk.md", "网页工作台", ("工作台", "desk")),
    Topic("history.md", "报送历史、上季度对照和全年一览表", ("历史", "history")),
    Topic(
        "supervision.md",
        "督查通报、报送及时情况、图表和公开版",
        ("督查", "通报", "公开版", "supervision"),
    ),
    Topic("install.md", "在 Windows 和没有网络的电脑上安装", ("安装", "install")),
    Topic("exit-codes.md", "退出码", ("退出码", "exit-codes")),
    Topic("reliability.md", "可靠性与安全：限制和各种异常文件的处理", ("可靠性", "reliability")),
    Topic("performance.md", "性能", ("性能", "performance")),
    Topic("architecture.md", "代码结构（给开发者）", ("代码结构", "architecture")),
)


def find(name: str) -> Topic | None:
    key = name.strip().lower().removesuffix(".md").removeprefix("docs/")
    return next((t for t in TOPICS if key in t.names), None)
