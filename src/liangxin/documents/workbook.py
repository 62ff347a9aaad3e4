"""The bulletin's tables as an Excel workbook: one sheet per table, plus the task × unit grid.

Each sheet has a title row and a header row (both frozen and repeated when printed), column
widths, percentages stored as fractions with a percent format (so they sum and sort), and
changes in points as numbers. Text from users is always written as a string cell with Excel's
quote prefix, so “=1+1” in a task title stays the text “=1+1” and never runs as a formula, even
when someone edits the cell later (OWASP CSV injection).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter

from liangxin.core.exporting import FORMULA_PREFIXES
from liangxin.dispatch.ranking import rank_groups

from . import bulletin as b


@dataclass
class Column:
    header: str
    width: int
    kind: str = "text"  # text / int / percent / points / number / bool


@dataclass
class Percent:
    """A rate cell: a fraction shown as 81.3%."""

    value: Any


@dataclass
class Points:
    """A change in percentage points: +1.2 / -0.4."""

    value: Any


SHEETS = (
    "总体情况", "覆盖情况", "重点任务推进情况", "存在问题", "红黑榜", "单位报送情况", "任务单位明细", "附件 整改情况",
)  # fmt: skip


class _Writer:
    def __init__(self, target: Any) -> None:
        self.book = xlsxwriter.Workbook(
            target,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        add = self.book.add_format
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "border": 1}
        self.title = add({"font_name": "黑体", "font_size": 14, "bold": True})
        self.header = add({**base, "bold": True, "bg_color": "#F2F2F2", "text_wrap": True, "align": "center"})
        self.text = add({**base, "text_wrap": True})
        self.quoted = add({**base, "text_wrap": True, "quote_prefix": True})
        self.int = add({**base, "num_format": "0"})
        self.number = add({**base, "num_format": "0.0"})
        self.percent = add({**base, "num_format": "0.0%"})
        self.points = add({**base, "num_format": "+0.0;-0.0;0.0"})

    def sheet(self, name: str, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
        sheet = self.book.add_worksheet(name[:31])
        sheet.write_string(0, 0, title, self.title)
        for col, column in enumerate(columns):
            sheet.write_string(1, col, column.header, self.header)
            sheet.set_column(col, col, column.width)
        sheet.freeze_panes(2, 0)
        sheet.repeat_rows(0, 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        if rows:
            sheet.autofilter(1, 0, 1 + len(rows), len(columns) - 1)
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row):
                self.cell(sheet, r, c, value)

    def cell(self, sheet, row: int, col: int, value: Any) -> None:
        if isinstance(value, Percent | Points):
            if value.value is None:
                sheet.write_string(row, col, b.DASH, self.text)
            else:
                number = float(Decimal(str(value.value)))
                if isinstance(value, Percent):
                    # the rounded rate of the document, so the cell and the bulletin agree to the digit
                    number = float(b.to_percent(value.value) / 100)
                sheet.write_number(
                    row, col, number, self.percent if isinstance(value, Percent) else self.points
                )
        elif value is None:
            sheet.write_blank(row, col, None, self.text)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", self.text)
        elif isinstance(value, int):
            sheet.write_number(row, col, value, self.int)
        elif isinstance(value, float | Decimal):
            sheet.write_number(row, col, float(value), self.number)
        else:
            text = str(value)
            # write_string never makes a formula; the quote prefix keeps it text when edited in Excel
            sheet.write_string(
                row, col, text, self.quoted if text.startswith(FORMULA_PREFIXES) else self.text
            )

    def close(self) -> None:
        self.book.close()


def _coverage_rows(data: b.BulletinData) -> list[list[Any]]:
    return [
        [
            row.name,
            row.in_scope,
            Percent(row.org_rate),
            Points(row.org_rate_change),
            Percent(row.single_rate),
            Points(row.single_rate_change),
            Percent(row.work_rate),
            Points(row.work_rate_change),
            row.should_build,
            row.uncovered,
        ]
        for row in [*data.coverage, data.coverage_total]
    ]


def _problem_rows(data: b.BulletinData) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for kind, tasks in (("逾期", data.overdue), ("滞后", data.lagging)):
        rows.extend([kind, t.code, t.title, t.lead or None, b.join_names(t.units)] for t in tasks)
    if data.late_details:
        rows.extend(["未按时报送", None, None, None, b.late_unit_phrase(unit)] for unit in data.late_details)
    else:  # a snapshot published before the details were kept
        rows.extend(["未按时报送", None, None, None, unit] for unit in data.late_units)
    return rows


def _board_rows(name: str, entries: list[b.RankEntry]) -> list[list[Any]]:
    tied = {group.rank for group in rank_groups(entries) if group.tied}
    return [[name, e.rank, e.unit, e.score, "并列" if e.rank in tied else None] for e in entries]


def write_bulletin_workbook(data: b.BulletinData, target: Any) -> None:
    """Write the bulletin's workbook to a path or a binary stream."""
    o = data.overall
    caption = f"{data.period_label}（数据截至{b.chinese_date(data.as_of)}）"
    writer = _Writer(target)
    # A fixed creation time: the same data gives the same bytes (XlsxWriter fixes the zip times).
    writer.book.set_properties(
        {"title": data.title, "created": datetime.datetime.combine(data.issue_date, datetime.time())}
    )
    writer.sheet(
        "总体情况",
        f"{data.title} — 总体情况，{caption}",
        [Column("指标", 24), Column("本月", 14), Column("较上月（百分点）", 18)],
        [
            ["纳入调度的重点任务（项）", o.task_count, None],
            ["应报送事项（个）", o.expected, None],
            ["此前已完成、本月不再报送（个）", o.earlier_done, None],
            ["已报送（个）", o.submitted, None],
            ["按时报送（个）", o.on_time, None],
            ["已完成（个）", o.done, None],
            ["正常推进（个）", o.green, None],
            ["滞后（个）", o.yellow, None],
            ["逾期（个）", o.red, None],
            ["报送率", Percent(o.report_rate), Points(o.report_rate_change)],
            ["按时报送率", Percent(o.on_time_rate), Points(o.on_time_rate_change)],
        ],
    )
    writer.sheet(
        "覆盖情况",
        f"各县（市、区）两新组织“两个覆盖”情况（口径：{data.coverage_scope}），{caption}",
        [
            Column("县（市、区）", 16),
            Column("纳入统计组织数", 14),
            Column("组织覆盖率", 12),
            Column("较上月（百分点）", 12),
            Column("单独组建率", 12),
            Column("较上月（百分点）", 12),
            Column("工作覆盖率", 12),
            Column("较上月（百分点）", 12),
            Column("应建未建", 10),
            Column("未覆盖", 10),
        ],
        _coverage_rows(data),
    )
    writer.sheet(
        "重点任务推进情况",
        f"重点任务推进情况，{caption}",
        [
            Column("编号", 8),
            Column("重点任务", 40),
            Column("牵头单位", 18),
            Column("进展状态", 10),
            Column("进展情况", 50),
        ],
        [[t.code, t.title, t.lead, t.light_label, t.progress] for t in data.tasks],
    )
    writer.sheet(
        "存在问题",
        f"存在问题，{caption}",
        [
            Column("类别", 12),
            Column("编号", 8),
            Column("重点任务", 40),
            Column("牵头单位", 18),
            Column("涉及单位", 50),
        ],
        _problem_rows(data),
    )
    writer.sheet(
        "红黑榜",
        f"红黑榜，{caption}",
        [Column("榜单", 8), Column("名次", 8), Column("单位", 30), Column("综合得分", 12), Column("备注", 8)],
        _board_rows("红榜", data.red_list) + _board_rows("黑榜", data.black_list),
    )
    writer.sheet(
        "单位报送情况",
        f"各单位报送情况，{caption}",
        [
            Column("单位", 30),
            Column("应报送", 10),
            Column("已报送", 10),
            Column("按时报送", 10),
            Column("报送率", 10),
            Column("按时报送率", 12),
            Column("综合得分", 10),
            Column("排名", 8),
        ],
        [
            [
                u.unit,
                u.expected,
                u.submitted,
                u.on_time,
                Percent(u.rate),
                Percent(u.on_time_rate),
                u.score,
                u.rank if u.rank is not None else "不参与排名",
            ]
            for u in data.units
        ],
    )
    writer.sheet(
        "任务单位明细",
        f"重点任务 × 责任单位明细，{caption}",
        [
            Column("编号", 8),
            Column("重点任务", 40),
            Column("牵头单位", 18),
            Column("责任单位", 20),
            Column("进展状态", 10),
            Column("完成进度（%）", 12),
            Column("报送情况", 12),
            Column("按时报送", 10),
        ],
        [
            [g.code, g.title, g.lead, g.unit, g.light_label, g.progress, g.report, g.on_time]
            for g in data.grid
        ],
    )
    fixes = data.rectifications
    writer.sheet(
        "附件 整改情况",
        f"附件：各县（市、区）联合党支部排查整改情况，{caption}",
        [Column("县（市、区）", 16), Column("未销号", 10), Column("其中逾期", 10), Column("已销号", 10)],
        [[r.name, r.open, r.overdue, r.closed] for r in fixes]
        + [["合计", sum(r.open for r in fixes), sum(r.overdue for r in fixes), sum(r.closed for r in fixes)]],
    )
    writer.close()
