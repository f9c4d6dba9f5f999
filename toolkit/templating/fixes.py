"""How to fix each problem `template check` reports, in the editor the maintainer has.

Menu names are those of Word 2016–365, WPS 文字 and LibreOffice Writer 7.x
with Chinese menus. Every error gets one of these texts (`fix_for`); the
messages themselves say what is wrong and where.
"""

from __future__ import annotations

_FIND = (
    "用「查找」搜索附近文字找到这里（Word：「开始 → 查找」，WPS：「开始 → 查找替换」，"
    "LibreOffice：「编辑 → 查找与替换」，三者都可按 Ctrl+F/Ctrl+H），改正后保存为 .docx。"
)
RETYPE = (
    "删除整个标签，切换到英文输入法后一次性重新输入（Word、WPS、LibreOffice 相同）。"
    "若改不好，把标签在记事本中写好，再粘贴为无格式文本：Word「开始 → 粘贴 → 只保留文本」，"
    "WPS「开始 → 粘贴 → 只粘贴文本」，LibreOffice「编辑 → 选择性粘贴 → 粘贴无格式文本」。"
)
CLEAR_FORMAT = (
    "选中整个标签（从 { 到 }）清除直接格式后再统一设置：Word「开始 → 清除所有格式」（Ctrl+空格），"
    "WPS「开始 → 清除格式」，LibreOffice「格式 → 清除直接格式」（Ctrl+M）。"
)
ACCEPT_CHANGES = (
    "先接受全部修订，再取消超链接、删除内容控件：Word「审阅 → 接受 → 接受所有修订」、右键「取消超链接」；"
    "WPS「审阅 → 接受 → 接受对文档所做的所有修订」、右键「取消超链接」；"
    "LibreOffice「编辑 → 追踪修订 → 接受全部」、右键「移除超链接」。然后删除标签重新输入。"
)
DELETE_ROW = (
    "把其他内容移到别的行，让这一行只剩标签；或删掉这一行（Word「布局 → 删除 → 删除行」，"
    "WPS「表格工具 → 删除 → 行」，LibreOffice「表格 → 删除 → 删除行」）后重新插入一行只写标签。"
)
JOIN_TABLES = (
    "把两个表格合并回一个：Word、WPS 中把光标放在两个表格之间的空段落按 Delete；"
    "LibreOffice 中把光标放在上面的表格里，选「表格 → 合并表格」。"
)
ADD_COLUMN = (
    "插入一列并写上表头：Word「布局 → 在右侧插入」，WPS「表格工具 → 在右侧插入列」，"
    "LibreOffice「表格 → 插入 → 在后方插入列」；之后按 docs/templates.md「增加一列」调整列宽。"
)
ADD_TABLE = (
    "表格被删除或改坏了：从随程序提供的模板（templates 文件夹中的同名文件）复制整个表格，"
    "粘贴回来（Word、WPS、LibreOffice 相同：选中表格后复制、粘贴），再按需要修改。"
)
AUTOCORRECT_CAPS = (
    "关闭自动更正的“句首字母大写”后改回小写：Word「文件 → 选项 → 校对 → 自动更正选项 → 自动更正」"
    "中取消“句首字母大写”和“表格单元格的首字母大写”；WPS「文件 → 选项 → 编辑」中取消自动更正的首字母大写；"
    "LibreOffice「工具 → 自动更正 → 自动更正选项 → 选项」中取消“每个句子首字母大写”。"
)

FIXES = {
    "fullwidth_tag": RETYPE,
    "fullwidth_in_tag": RETYPE,
    "unterminated_tag": RETYPE,
    "special_tag_space": RETYPE,
    "split_tag": CLEAR_FORMAT,
    "tr_not_alone": DELETE_ROW,
    "tc_not_alone": ("把其他内容移到别的单元格，让这一格只剩标签（Word、WPS、LibreOffice 相同）。"),
    "p_not_alone": "在标签前后按回车，让标签单独成一段（Word、WPS、LibreOffice 相同）。",
    "tr_across_tables": JOIN_TABLES,
    "block_across_tables": JOIN_TABLES,
    "form_no_table": ADD_TABLE,
    "summary_no_table": ADD_TABLE,
    "form_missing_column": ADD_COLUMN,
    "summary_missing_column": ADD_COLUMN,
    "notice_no_unit": (
        "在标题下方加一段，顶格写 {{ unit }}：（Word、WPS、LibreOffice 相同；"
        "可参照随程序提供的通知模板）。"
    ),
    "unreadable": (
        "在 Word、WPS 或 LibreOffice 中打开它，另存为 Word 文档（.docx）后再试"
        "（LibreOffice 选文件类型“Word 2007–365”）；打不开时从随程序提供的模板重新修改。"
    ),
}


def fix_for(code: str) -> str:
    """How to fix a problem with this code (how to find the place, when nothing more specific)."""
    return FIXES.get(code, _FIND)
