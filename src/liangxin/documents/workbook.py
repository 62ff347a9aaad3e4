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
from liangxin.integration.models import DIMENSIONS, SHORT

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


@dataclass
class TwoPlaces:
    """An amount or an average kept to two decimals (资金 in 万元, a 五融入五提升 average)."""

    value: Any


SHEETS = (
    "总体情况", "覆盖情况", "重点任务推进情况", "存在问题", "红黑榜", "单位报送情况", "任务单位明细", "附件 整改情况",
    "附件 三同步跟进", "附件 结对共建", "附件 五融入五提升", "附件 品牌创建",
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
        self.two = add({**base, "num_format": "0.00"})

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
        if isinstance(value, TwoPlaces):
            if value.value is None:
                sheet.write_string(row, col, b.DASH, self.text)
            else:
                sheet.write_number(row, col, float(value.value), self.two)
        elif isinstance(value, Percent | Points):
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
    annex_sheets(writer, data, caption)
    writer.close()


def _sums(rows: Sequence[Any], keys: Sequence[str]) -> list[int]:
    return [sum(getattr(r, key) for r in rows) for key in keys]


FOLLOWUP_KEYS = ("opened", "due", "closed", "closed_in_time", "overdue")
FOLLOWUP_COLUMNS = [
    Column(header, width)
    for header, width in (
        ("责任单位", 20), ("本月新发起", 12), ("本月到期", 10), ("本月办结", 10), ("其中按期办结", 12),
        ("逾期未办结", 12),
    )
]  # fmt: skip
PAIRING_COLUMNS = [
    Column(header, width)
    for header, width in (
        ("县（市、区）", 16), ("在结对（对）", 12), ("两新组织（家）", 14), ("村（社区）（个）", 14),
        ("其中重点帮扶村", 14), ("帮扶项目（个）", 14), ("投入资金（万元）", 16), ("受益人数", 10),
    )
]  # fmt: skip
INTEGRATION_COLUMNS = [
    Column("县（市、区）", 16),
    Column("已评估组织（家）", 14),
    *(Column(SHORT[key], 10) for key, _ in DIMENSIONS),
    Column("五项平均", 10),
    Column("最薄弱", 10),
    Column("较上年（分）", 12),
]


def _pairing_line(r: b.PairingRow) -> list[Any]:
    return [
        r.name, r.pairings, r.organizations, r.villages, r.key_villages, r.projects, TwoPlaces(r.funds),
        r.people_helped,
    ]  # fmt: skip


def _integration_line(r: b.IntegrationRow) -> list[Any]:
    return [r.name, r.assessed, *(TwoPlaces(v) for v in r.averages), TwoPlaces(r.overall), r.weakest,
            TwoPlaces(r.change)]  # fmt: skip


def _brand_rows(c: b.BrandFigures) -> list[list[Any]]:
    if c.deadline is None:
        return [["品牌申报", f"{c.year}年尚未开启"]]
    return [
        ["应申报单位（个）", c.expected_units],
        ["已申报单位（个）", c.reported_units],
        ["逾期未申报单位（个）", len(c.late_units)],
        ["逾期未申报单位", b.join_names(c.late_units) or None],
        ["已登记品牌和示范点（个）", c.brands],
        *([f"其中{label}（个）", n] for label, n in {**c.stages, **c.levels}.items()),
        ["已命名品牌待回访（个）", c.revisits_due],
        ["逾期未回访（个）", c.revisits_overdue],
        ["已停止运行（推出即下架）（个）", c.inactive],
    ]


def annex_sheets(writer: _Writer, data: b.BulletinData, caption: str) -> None:
    """三同步, 结对共建, 五融入五提升 and the brand campaign (documents.annex); a bulletin published
    before they were counted gets the sheets without rows."""
    follow = data.followups or []
    writer.sheet(
        "附件 三同步跟进",
        f"附件：各责任单位三同步跟进事项办理情况（本月），{caption}",
        FOLLOWUP_COLUMNS,
        [[r.unit, *(getattr(r, key) for key in FOLLOWUP_KEYS)] for r in follow]
        + ([["合计", *_sums(follow, FOLLOWUP_KEYS)]] if data.followups is not None else []),
    )
    p = data.pairings
    unpaired = f"（尚未结对的乡村振兴重点帮扶村{p.unpaired_key_villages}个）" if p else ""
    writer.sheet(
        "附件 结对共建",
        f"附件：各县（市、区）结对共建情况（{p.year if p else data.year}年）{unpaired}，{caption}",
        PAIRING_COLUMNS,
        [_pairing_line(r) for r in [*p.counties, p.total]] if p else [],
    )
    i = data.integration
    writer.sheet(
        "附件 五融入五提升",
        f"附件：各县（市、区）“五融入五提升”评估情况（{i.year if i else data.year}年），{caption}",
        INTEGRATION_COLUMNS,
        [_integration_line(r) for r in [*i.counties, i.total]] if i else [],
    )
    c = data.brands
    writer.sheet(
        "附件 品牌创建",
        f"附件：{c.title if c and c.title else '品牌创建'}"
        + (f"（申报截止{b.chinese_date(c.deadline)}）" if c and c.deadline else "")
        + f"，{caption}",
        [Column("指标", 30), Column("数值", 40)],
        _brand_rows(c) if c else [],
    )
