"""The combined 摸排表: one row per organization with its party-building facts beside it (是否建立
党组织, 党组织名称, 组建方式, 党组织成立时间, 党组织书记, 是否选派党建指导员, 党建指导员姓名, 指导员联系电话 …).

A row gives what the three separate sheets would: the organization (the organizations sheet's
own staged path — `OrganizationImporter` — so the bulk write stays one merge), its party
organization and its instructor assignment. The party-building part of each row is parsed here
into a `Facts`; `ledger_write.LedgerWriter` applies them inside the import's write transaction,
right after the organizations are merged. The party-building columns never refuse a row: what
looks wrong (是否建立党组织 = 否 beside a party organization's name, 单独组建 with fewer than 3
正式党员, a bad date) is imported with a warning that says why (domain.md §4, §8).

The sheet is recognized by its headers: the organizations sheet's columns plus at least one of
the party-building columns (with as many columns matched, the organizations sheet wins).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from liangxin.core.dates import month_end
from liangxin.core.importing import NOT_IMPORTED, Problem, RowReader
from liangxin.core.tabular import Column, SheetSpec, ValueProblem, is_empty, parse_date, parse_text
from liangxin.coverage.models import Formation, PartyOrgType
from liangxin.registry import rules
from liangxin.registry.imports import OrganizationImporter

PARTY_COLUMNS = [
    Column(
        "has_party",
        "是否建立党组织",
        (
            "是否成立党组织",
            "党组织建立情况",
            "是否建有党组织",
            "是否已建立党组织",
            "有无党组织",
            "是否建立党组织",
        ),
    ),
    Column(
        "party_name",
        "党组织名称",
        ("党组织全称", "联合党支部名称", "联合党组织名称", "联建单位", "所在党组织"),
    ),
    Column("party_type", "党组织类别", ("党组织类型", "党组织层级")),
    Column(
        "formation",
        "组建方式",
        ("组建形式", "组建类型", "党组织形式", "建立方式", "党组织组建方式", "党组织建立方式"),
    ),
    Column(
        "party_founded_on",
        "党组织成立时间",
        ("党组织成立日期", "党组织建立时间", "党组织建立日期", "党组织组建时间", "组建时间", "组建日期"),
    ),
    Column("secretary", "党组织书记", ("党组织书记姓名", "书记姓名", "书记")),
    Column(
        "has_instructor",
        "是否选派党建指导员",
        ("是否选派指导员", "是否有党建指导员", "是否派驻党建指导员", "是否选派党建指导员（联络员）"),
    ),
    Column(
        "instructor",
        "党建指导员姓名",
        (
            "党建指导员",
            "指导员姓名",
            "指导员",
            "党建联络员",
            "联络员",
            "联络员姓名",
            "党建指导员（联络员）姓名",
        ),
    ),
    Column(
        "instructor_phone",
        "指导员联系电话",
        ("指导员电话", "党建指导员联系电话", "党建指导员电话", "指导员手机", "联络员电话", "联络员联系电话"),
    ),
    Column("instructor_workplace", "指导员工作单位", ("党建指导员工作单位", "指导员单位")),
    Column("instructor_starts_on", "派驻日期", ("选派日期", "派驻时间", "选派时间")),
]

PARTY_NOTES = {
    "has_party": "是/否，也可写 已建/未建；留空时按是否填写了党组织名称判断。"
    "填“否”的组织如此前由本系统记录了党组织覆盖，该覆盖关系自本次导入之日起结束（并给出警告）",
    "party_name": "党组织全称；联合组建的多个组织填写同一个名称（或系统中已有的联合党组织名称），即由同一个联合党组织覆盖",
    "party_type": "党委、党总支、党支部；留空为党支部",
    "formation": "单独组建 或 联合组建；留空时：名称在本表多行出现或系统中已有联合党组织的，按联合组建，否则按单独组建",
    "party_founded_on": "日期；留空时新党组织自导入之日起计算覆盖（并给出警告）",
    "secretary": "书记姓名",
    "has_instructor": "是/否；留空时按是否填写了指导员姓名判断。填“否”的组织如此前有指导员派驻，派驻自本次导入之日起结束",
    "instructor": "党建指导员（联络员）姓名；按姓名 + 电话匹配系统中的指导员，找不到时新建",
    "instructor_phone": "11 位手机号或带区号的固定电话",
    "instructor_workplace": "指导员的工作单位（新建指导员时记录）",
    "instructor_starts_on": "日期；留空为导入之日",
}

SPEC = SheetSpec(
    type="ledger",
    label="摸排表（组织、党组织、指导员合一）",
    columns=[*rules.COLUMNS, *PARTY_COLUMNS],
    signature=("credit_code", "name"),
)

_YES = {"是", "已建", "已建立", "已成立", "已组建", "建立", "有", "√", "✓", "y", "yes", "1"}
_NO = {"否", "未建", "未建立", "未成立", "未组建", "无", "没有", "×", "x", "n", "no", "0"}
_NOTHING = {"无", "/", "-", "—", "——", "暂无", "没有", "未建", "未选派", "否"}  # a name cell saying "none"
TYPES = {"党委": PartyOrgType.COMMITTEE, "党总支": PartyOrgType.GENERAL_BRANCH, "党支部": PartyOrgType.BRANCH}
FORMATIONS = {"单独": Formation.SINGLE, "联合": Formation.JOINT}


def parse_yes_no(value: Any) -> bool | None:
    """是/否 and the ways a 摸排表 says it (已建/未建, 有/无, √/×)."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    text = (parse_text(value) or "").lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueProblem(f"无法识别“{text}”，请填写“是”或“否”（也可写 已建/未建）")


def parse_name(value: Any) -> str | None:
    """A name, or None where the cell says there is none (无, /, 暂无)."""
    text = parse_text(value)
    return None if text is None or text in _NOTHING else text


def parse_formation(value: Any) -> str:
    text = parse_text(value) or ""
    for word, formation in FORMATIONS.items():
        if text.startswith(word) or text.endswith(f"{word}组建"):
            return formation
    raise ValueProblem(f"无法识别的组建方式“{text}”，应为单独组建或联合组建")


def parse_party_type(value: Any) -> str:
    text = parse_text(value) or ""
    for label, key in TYPES.items():
        if text.endswith(label) or (text and text.endswith(label.replace("党", ""))):
            return key
    raise ValueProblem(f"无法识别的党组织类别“{text}”，应为党委、党总支或党支部")


@dataclass
class Facts:
    """The party-building part of one row, as read (None: the row does not say)."""

    row: Any  # DataRow
    credit_code: str
    org_name: str
    members: int | None
    has_party: bool | None = None
    party_name: str | None = None
    party_type: str | None = None
    formation: str | None = None
    founded_on: datetime.date | None = None
    secretary: str | None = None
    has_instructor: bool | None = None
    instructor: str | None = None
    phone: str | None = None
    workplace: str | None = None
    starts_on: datetime.date | None = None
    org_outcome: str = "unchanged"  # created | updated | unchanged: the organization itself

    @property
    def wants_party(self) -> bool:
        return self.has_party is True or (self.has_party is None and bool(self.party_name))

    @property
    def wants_instructor(self) -> bool:
        return self.has_instructor is not False and bool(self.instructor)


def read_facts(r: RowReader, record: dict[str, Any]) -> Facts:
    """A row's party-building facts; a value that cannot be read is a warning (the organization
    is imported, that value is not)."""

    def get(key, parser):
        return r.get(key, parser, optional=True) if r.has(key) else None

    facts = Facts(
        row=r.row,
        credit_code=record["credit_code"],
        org_name=record.get("name") or "",
        members=record.get("party_members"),
        has_party=get("has_party", parse_yes_no),
        party_name=get("party_name", parse_name),
        party_type=get("party_type", parse_party_type),
        formation=get("formation", parse_formation),
        founded_on=get("party_founded_on", parse_date),
        secretary=get("secretary", parse_name),
        has_instructor=get("has_instructor", parse_yes_no),
        instructor=get("instructor", parse_name),
        phone=get("instructor_phone", parse_text),
        workplace=get("instructor_workplace", parse_text),
        starts_on=get("instructor_starts_on", parse_date),
    )
    if facts.has_party is False and facts.party_name:
        r.warn(
            "has_party",
            f"“{r.header('has_party')}”为“否”，但填写了党组织名称“{facts.party_name}”：按“否”处理，"
            "未记录党组织覆盖；如该组织已建立党组织，请改为“是”",
        )
    if facts.has_instructor is False and facts.instructor:
        r.warn(
            "has_instructor",
            f"“{r.header('has_instructor')}”为“否”，但填写了指导员“{facts.instructor}”：按“否”处理，"
            "未记录派驻；如已选派，请改为“是”",
        )
    if facts.has_instructor is True and not facts.instructor:
        r.warn("has_instructor", f"“{r.header('has_instructor')}”为“是”，但没有填写指导员姓名，派驻未导入")
    if facts.wants_party and facts.formation == Formation.SINGLE:
        minimum = rules_min_members()
        if facts.members is not None and facts.members < minimum:
            r.warn(
                "formation",
                f"单独组建的党组织应有 {minimum} 名以上正式党员，本组织正式党员数为 {facts.members}"
                "（不足 3 人的一般应联合组建）；已按单独组建导入，请核对",
            )
    return facts


_AS_OF = re.compile(
    r"(?:截至|截止)(?:到|于|日期[:：]?)?\s*(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:(?:月|[-./])\s*(\d{1,2})\s*日?|月(?!\s*\d))"
)


def as_of_in_title(text: str) -> tuple[str, datetime.date | None] | None:
    """The 截至 date a title row gives (“截至2026年11月30日”, “截止2026-11-30”, “截至2026年11月”:
    the month's last day) as (the words as written, the date — None when no such day exists);
    None when the title gives none."""
    m = _AS_OF.search(text)
    if m is None:
        return None
    year, month = int(m[1]), int(m[2])
    try:
        day = datetime.date(year, month, int(m[3])) if m[3] else month_end(datetime.date(year, month, 1))
    except ValueError:
        return m[0], None
    return m[0], day


def facts_as_of(match, report, today: datetime.date) -> datetime.date:
    """The day the sheet's party-building facts are as of: the title's 截至 date, else the import
    date. A 截至 date after the import date, or one that does not exist, is not used (a warning
    on the title row says so); the date read is shown beside the columns in the preview."""
    titles = (
        (offset, cells, as_of_in_title(" ".join(str(c).strip() for c in cells if c not in (None, ""))))
        for offset, cells in enumerate(match.title_rows)
    )
    offset, cells, found = next((t for t in titles if t[2] is not None), (0, [], None))
    if found is None:
        return today
    words, day = found
    number = match.first_row_number + offset
    reason = (
        f"标题中的“{words}”不是有效日期"
        if day is None
        else f"标题中的“{words}”晚于导入日期 {today:%Y-%m-%d}，不能按未来的日期记录"
        if day > today
        else ""
    )
    if reason:
        problem = Problem(
            number, "标题", f"{reason}；党组织覆盖和指导员派驻按导入日期 {today:%Y-%m-%d} 记录，请核对标题"
        )
        report.warnings.append(problem)
        report.warned_rows.insert(0, (number, list(cells), [problem]))
        report.columns.append((f"标题“{words}”", f"未采用，按导入日期 {today:%Y-%m-%d}"))
        return today
    report.columns.append((f"标题“{words}”", f"党建信息截至日期 {day:%Y-%m-%d}"))
    return day


def rules_min_members() -> int:
    from liangxin.coverage.engine import should_build_members

    return should_build_members()


class LedgerImporter(OrganizationImporter):
    """The combined sheet: the organizations as the organizations sheet imports them (staged,
    one merge), then its party organizations and instructor assignments (`LedgerWriter`)."""

    spec = SPEC
    order = 15  # after a separate organizations sheet, before the party organizations sheet
    preview_in_transaction = True  # the preview shows what the party-building columns change
    template = ("coverage:import_template", {"kind": "ledger"})
    recognized_by = (
        "表头含“统一社会信用代码”“组织名称”，以及“是否建立党组织”“党组织名称”“组建方式”"
        "“党建指导员姓名”等党建列中的任意一列"
    )

    def start(self) -> None:
        super().start()
        self.parsed: dict[int, Facts] = {}
        self.facts: list[Facts] = []
        self.as_of = facts_as_of(self.match, self.report, self.today)

    def parse_chunk(self, readers: list[RowReader]) -> list:
        self.parsed = {}
        records = super().parse_chunk(readers)
        for r, record in zip(readers, records, strict=True):
            if record is None or r.problems:
                continue
            warned = len(r.warnings)
            self.parsed[r.row.number] = read_facts(r, record)
            if len(r.warnings) > warned:
                record.pop("row_hash", None)  # a row with a warning is read again next time
        return records

    def write(self, records) -> None:
        super().write(records)
        plan = self.last_plan
        created = {record["credit_code"] for record in plan.new_records}
        updated = {after["credit_code"] for _, _, fields, after in plan.updates if fields != ("row_hash",)}
        rejected = {number for number, _, _ in plan.result.rejected}
        for row, record in records:
            facts = self.parsed.pop(row.number, None)
            if facts is None or row.number in rejected:
                continue
            code = record["credit_code"]
            facts.org_outcome = (
                "created" if code in created else "updated" if code in updated else "unchanged"
            )
            self.facts.append(facts)

    def apply(self) -> None:
        from liangxin.coverage.ledger_write import LedgerWriter

        super().apply()
        LedgerWriter(self.ctx, self.report, self.match, today=self.as_of).write(self.facts)


__all__ = ["NOT_IMPORTED", "PARTY_COLUMNS", "PARTY_NOTES", "SPEC", "Facts", "LedgerImporter"]
