"""What a unit must be told about what it sent: which notice it needs now, if any.

- 退回修改意见 (RETURN): its return was read and has errors to correct;
- 催报通知 (REMINDER): nothing has come from it;
- 报送材料不符合要求的通知 (NONCONFORMING): what it sent cannot be used
  (another quarter's form, a file that is not the form, one that does not
  open, the blank form).

A return with nothing to correct needs none, and neither does a second
copy of a good one: 重复报送 alone is no reason to send anything back. The
desk writes these notices (toolkit.desk.notice); the 督查通报 lists the
units whose returns had to be sent back by the same rule.
"""

from __future__ import annotations

from toolkit.core.findings import Finding
from toolkit.errors import UsageError
from toolkit.office.folder import shown
from toolkit.returns.merging import BLANK, RETURNED, UNREADABLE, MergeResult, UnitReturn

# The names of the notices' templates (toolkit.templates).
RETURN, REMINDER, NONCONFORMING = "notice-return", "notice-reminder", "notice-nonconforming"
TITLES = {
    RETURN: "退回修改意见",
    REMINDER: "催报通知",
    NONCONFORMING: "报送材料不符合要求的通知",
}

# Findings that say nothing the unit has to act on: the office changed its register,
# the toolkit fixed the numbering, a second copy arrived, the metadata disagree.
NOT_THE_UNITS = {
    "register_changed",
    "numbering_normalized",
    "duplicate_return",
    "identity_conflict",
}
# Findings that make a submission unusable.
UNUSABLE = frozenset({"no_table", "unreadable", "skipped_file", "blank_form"})


def unit_status(result: MergeResult, unit: str) -> UnitReturn:
    status = next((u for u in result.units if u.unit == unit), None)
    if status is None:
        raise UsageError(f"登记表中没有主办项目的单位“{unit}”。")
    return status


def own_findings(result: MergeResult, status: UnitReturn) -> list[Finding]:
    """The unit's findings about what it has to answer for: of a return that was read,
    only those about that return (another file it sent beside it is not held against it)."""
    mine = [f for f in result.findings_of(status.unit) if f.code not in NOT_THE_UNITS]
    if status.status == RETURNED and status.file is not None:
        used = {None, status.file.name, shown(status.file.name)}
        mine = [f for f in mine if f.file in used]
    return [f for f in mine if f.code != "missing_return"]


def notice_kind(result: MergeResult, unit: str) -> str | None:
    """Which notice the unit needs now, if any."""
    status = unit_status(result, unit)
    mine = own_findings(result, status)
    if status.status == RETURNED:
        if any(f.code == "no_table" for f in mine):
            return NONCONFORMING
        return RETURN if any(f.is_error for f in mine) else None
    if status.status in (UNREADABLE, BLANK) or any(
        f.code == "wrong_period" or f.code in UNUSABLE for f in mine
    ):
        return NONCONFORMING
    return REMINDER
