"""The monthly bulletin (通报) as plain data, and the sentences with numbers it is written in.

A BulletinData holds every figure of one bulletin (domain.md §6). It is filled from the coverage
and dispatch figures for a period and date; the .docx (documents.docx) and the workbook
(documents.workbook) are rendered from it and nothing else, so both show the same numbers.

Rates are fractions (0.813 for 81.3%) or None when there is nothing to divide by; changes from
last month are in percentage points, computed from the rounded percentages a reader sees, so
“81.3%，较上月提高1.2个百分点” always adds up on paper.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from liangxin.core.rates import (  # noqa: F401 (the documents' number helpers, one definition)
    DASH,
    Rate,
    change_points,
    format_percent,
    format_points,
    ratio,
    to_percent,
)
from liangxin.dispatch.ranking import rank_groups
from liangxin.dispatch.status import EARLIER, LIGHT_ORDER, LIGHT_PHRASES  # noqa: F401
from liangxin.dispatch.status import LIGHT_LABELS as PAIR_LIGHT_LABELS

from .annex import (  # noqa: F401 (serialize reads the annex's types by name in this module)
    BrandFigures,
    FollowUpRow,
    IntegrationFigures,
    IntegrationRow,
    PairingFigures,
    PairingRow,
)

LIGHT_LABELS = {light: PAIR_LIGHT_LABELS[light] for light in LIGHT_ORDER}  # a task's light in a table

ALL_ORGANIZATIONS = "全部两新组织"  # the default coverage scope: the sentence names no scope
DEFAULT_RECIPIENTS = "各县（市、区）委组织部，市“两新”工委各成员单位："

_TENTH = Decimal("0.1")


# ---------------------------------------------------------------------------- numbers


def format_number(value: Decimal | float | int | None) -> str:
    """A count or score as written in a document: 12, 98.5 (one decimal at most), or “—”."""
    if value is None:
        return DASH
    if isinstance(value, int):
        return str(value)
    number = Decimal(str(value)).quantize(_TENTH, rounding=ROUND_HALF_UP)
    return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number)


def chinese_date(day: datetime.date) -> str:
    """2022年5月31日 (GB/T 9704-2012 writes dates in Arabic numerals, without leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------------------- phrases


def change_phrase(points: Decimal | float | None) -> str:
    """“较上月提高1.2个百分点” / “较上月下降0.4个百分点” / “与上月持平”; "" without last month."""
    if points is None:
        return ""
    value = Decimal(str(points)).quantize(_TENTH, rounding=ROUND_HALF_UP)
    if value > 0:
        return f"较上月提高{value}个百分点"
    if value < 0:
        return f"较上月下降{-value}个百分点"
    return "与上月持平"


def rate_sentence(subject: str, rate: Rate, points: Decimal | float | None = None) -> str:
    """“全市组织覆盖率为81.3%，较上月提高1.2个百分点” (no comparison in the first month)."""
    if rate is None:
        return f"{subject}暂无统计数据"
    phrase = change_phrase(points)
    return f"{subject}为{format_percent(rate)}" + (f"，{phrase}" if phrase else "")


def count_change_phrase(current: int, previous: int | None, measure: str = "个") -> str:
    """“较上月增加3个” / “较上月减少2个” / “与上月持平”; "" without last month."""
    if previous is None:
        return ""
    if current > previous:
        return f"较上月增加{current - previous}{measure}"
    if current < previous:
        return f"较上月减少{previous - current}{measure}"
    return "与上月持平"


def join_names(names: Iterable[str]) -> str:
    return "、".join(names)


# ---------------------------------------------------------------------------- data


def default_title(year: int, month: int) -> str:
    return f"关于{year}年{month}月全市基层党建重点任务推进情况的通报"


@dataclass
class SentinelFigures:
    """流动哨兵 reports of the month (`workforce.stats.sentinel_stats`, city-wide, as of the date)."""

    reports: int
    closed: int


@dataclass
class OverallFigures:
    """总体情况: the (task, unit) pairs of the period by light, and the reporting rates."""

    task_count: int
    expected: int
    submitted: int
    on_time: int
    done: int
    green: int
    yellow: int
    red: int
    report_rate_change: Decimal | None = None  # points vs last month; None in the first month
    on_time_rate_change: Decimal | None = None
    earlier_done: int = 0  # 此前已完成: pairs finished and accepted earlier, not expected this month

    @property
    def report_rate(self) -> Decimal | None:
        return ratio(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return ratio(self.on_time, self.expected)


@dataclass
class CoverageRow:
    """One county's (or the city's) “两个覆盖” figures as of the bulletin's date."""

    name: str
    in_scope: int
    org_rate: Rate
    single_rate: Rate
    work_rate: Rate
    should_build: int
    uncovered: int
    org_rate_change: Decimal | None = None  # points vs last month; None in the first month
    single_rate_change: Decimal | None = None
    work_rate_change: Decimal | None = None


@dataclass
class TaskRow:
    """A key task in the progress table: its light and a one-line progress summary."""

    code: str
    title: str
    lead: str
    light: str  # done / green / yellow / red
    progress: str = ""

    def __post_init__(self) -> None:
        if self.light not in LIGHT_LABELS:
            raise ValueError(f"任务“{self.code} {self.title}”的进展状态“{self.light}”无法识别")

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


@dataclass
class ProblemTask:
    """An overdue or lagging task and the units whose part of it is."""

    code: str
    title: str
    units: list[str]
    lead: str = ""  # the task's 牵头单位, named as lead


@dataclass
class LateUnit:
    """A unit with at least one expected item not submitted on time, and what it missed."""

    unit: str
    expected: int
    on_time: int
    late: list[str] = field(default_factory=list)  # codes of the tasks reported after the due day
    missing: list[str] = field(default_factory=list)  # codes of the tasks not reported


@dataclass
class RankEntry:
    rank: int
    unit: str
    score: Decimal | float | int | None


@dataclass
class RectificationRow:
    """整改 of one county on the bulletin's date (the workbook's annex 整改情况)."""

    name: str
    open: int  # not closed
    overdue: int  # of those, past the due date
    closed: int


@dataclass
class UnitRow:
    """One unit's reporting in the period (the workbook's 单位报送情况 sheet)."""

    unit: str
    expected: int
    submitted: int
    on_time: int
    score: Decimal | float | int | None = None
    rank: int | None = None

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return ratio(self.on_time, self.expected)


@dataclass
class GridRow:
    """One cell of the task × unit grid: a unit's part of a task in the period."""

    code: str
    title: str
    lead: str
    unit: str
    light: str
    report: str = ""  # the report's state as a user reads it, e.g. 已报送 / 未报送 / 已退回
    progress: int | None = None  # 完成进度 %
    on_time: bool | None = None

    @property
    def light_label(self) -> str:
        return PAIR_LIGHT_LABELS.get(self.light, self.light)


@dataclass
class BulletinData:
    year: int
    month: int
    as_of: datetime.date
    issuer: str
    issue_date: datetime.date
    overall: OverallFigures
    coverage: list[CoverageRow]  # one per county, in the order they are listed
    coverage_total: CoverageRow  # the city
    tasks: list[TaskRow]
    overdue: list[ProblemTask] = field(default_factory=list)
    lagging: list[ProblemTask] = field(default_factory=list)
    late_units: list[str] = field(default_factory=list)  # did not report on time, by name
    late_details: list[LateUnit] = field(default_factory=list)  # …and what each missed
    red_list: list[RankEntry] = field(default_factory=list)  # 红榜
    black_list: list[RankEntry] = field(default_factory=list)  # 黑榜
    unranked: list[str] = field(default_factory=list)  # nothing expected this month: not ranked
    requirements: list[str] = field(default_factory=list)  # 下步要求, editable paragraphs
    units: list[UnitRow] = field(default_factory=list)
    grid: list[GridRow] = field(default_factory=list)
    rectifications: list[RectificationRow] = field(default_factory=list)  # annex, per county
    title: str = ""
    doc_number: str = ""  # 发文字号, e.g. 吉党建办〔2022〕5号; the letterhead template may show it
    recipients: str = DEFAULT_RECIPIENTS
    coverage_scope: str = ALL_ORGANIZATIONS
    due_day: int = 25  # the period's 报送截止日
    sentinel: SentinelFigures | None = None  # None: not counted (a bulletin published before)
    # The annex from the other lines of work (documents.annex); None: not counted (published before)
    followups: list[FollowUpRow] | None = None  # 三同步, per gatekeeping unit
    pairings: PairingFigures | None = None  # 结对共建
    integration: IntegrationFigures | None = None  # 五融入五提升
    brands: BrandFigures | None = None  # 品牌创建

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"通报月份“{self.month}”不是1至12之间的数")
        if not self.title:
            self.title = default_title(self.year, self.month)

    @property
    def title_lines(self) -> list[str]:
        """The title as set on the page: the default one breaks where the meaning allows into an
        inverted trapezoid (GB/T 9704-2012 7.3.3); any other title is left to wrap by itself."""
        head = f"关于{self.year}年{self.month}月全市基层党建"
        if self.title == head + "重点任务推进情况的通报":
            return [head, "重点任务推进情况的通报"]
        return [self.title]

    @property
    def period_label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def period_code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


# ---------------------------------------------------------------------------- sections


def intro_paragraph(data: BulletinData) -> str:
    return (
        f"为推动年度基层党建重点任务落地见效，市委党建办对{data.period_label}重点任务推进情况"
        f"进行了调度（数据截至{chinese_date(data.as_of)}）。现将有关情况通报如下。"
    )


def overall_paragraphs(data: BulletinData) -> list[str]:
    o = data.overall
    earlier = f"（另有{o.earlier_done}个事项已于此前完成，本月不再报送）" if o.earlier_done else ""
    return [
        f"本月纳入调度的重点任务共{o.task_count}项，各牵头单位和责任单位应报送事项{o.expected}个{earlier}。"
        f"从进展情况看，已完成{o.done}个，正常推进{o.green}个，滞后{o.yellow}个，逾期{o.red}个。",
        f"从报送情况看，已报送{o.submitted}个，{rate_sentence('报送率', o.report_rate, o.report_rate_change)}；"
        f"按时报送{o.on_time}个，{rate_sentence('按时报送率', o.on_time_rate, o.on_time_rate_change)}。",
        *sentinel_paragraphs(data),
    ]


def sentinel_paragraphs(data: BulletinData) -> list[str]:
    """“本月流动哨兵报告N件，办结M件。” when riders reported this month."""
    from liangxin.workforce.stats import bulletin_line

    s = data.sentinel
    return [f"{bulletin_line({'reports': s.reports, 'closed': s.closed})}。"] if s and s.reports else []


def coverage_paragraphs(data: BulletinData) -> list[str]:
    city = data.coverage_total
    scope = "" if data.coverage_scope == ALL_ORGANIZATIONS else f"（统计范围：{data.coverage_scope}）"
    paragraphs = [
        f"截至{chinese_date(data.as_of)}，全市纳入统计的两新组织共{city.in_scope}家{scope}。"
        f"{rate_sentence('全市组织覆盖率', city.org_rate, city.org_rate_change)}；"
        f"{rate_sentence('单独组建率', city.single_rate, city.single_rate_change)}；"
        f"{rate_sentence('工作覆盖率', city.work_rate, city.work_rate_change)}。"
        f"应建未建党组织的两新组织有{city.should_build}家，党的组织和工作均未覆盖的有{city.uncovered}家。"
    ]
    ranked = [row for row in data.coverage if to_percent(row.org_rate) is not None]
    if len(ranked) >= 2:
        ranked.sort(key=lambda row: to_percent(row.org_rate))
        lowest, highest = ranked[0], ranked[-1]
        sentence = (
            f"分县（市、区）看，组织覆盖率最高的是{highest.name}（{format_percent(highest.org_rate)}），"
            f"最低的是{lowest.name}（{format_percent(lowest.org_rate)}）"
        )
        falling = [
            row for row in data.coverage if row.org_rate_change is not None and row.org_rate_change < 0
        ]
        if falling:
            sentence += "；较上月下降的有" + join_names(
                f"{row.name}（{change_phrase(row.org_rate_change).removeprefix('较上月')}）"
                for row in falling
            )
        paragraphs.append(sentence + "。")
    return paragraphs


def rectification_paragraphs(data: BulletinData) -> list[str]:
    """The 整改 of the workbook's annex in words, per county with any (none for a bulletin
    published before they were counted): “截至…，联合党支部排查发现问题的整改事项未销号N个，其中逾期M个；
    已销号K个。分县（市、区）看，吉州区未销号2个（其中逾期1个）、已销号1个；…。”"""
    rows = data.rectifications
    if not rows:
        return []
    opened, overdue, closed = (sum(getattr(r, key) for r in rows) for key in ("open", "overdue", "closed"))
    day = chinese_date(data.as_of)
    if not (opened or closed):
        return [f"截至{day}，联合党支部排查尚未发现需整改的问题。"]
    text = f"截至{day}，联合党支部排查发现问题的整改事项未销号{opened}个，其中逾期{overdue}个；已销号{closed}个。"
    parts = [
        f"{r.name}未销号{r.open}个"
        + (f"（其中逾期{r.overdue}个）" if r.overdue else "")
        + f"、已销号{r.closed}个"
        for r in rows
        if r.open or r.closed
    ]
    return [text + "分县（市、区）看，" + "；".join(parts) + "。"]


def light_counts(tasks: Sequence[TaskRow]) -> dict[str, int]:
    counts = dict.fromkeys(LIGHT_ORDER, 0)
    for task in tasks:
        counts[task.light] += 1
    return counts


def tasks_paragraph(data: BulletinData) -> str:
    if not data.tasks:
        return "本月没有纳入调度的重点任务。"
    c = light_counts(data.tasks)
    return (
        f"{len(data.tasks)}项重点任务中，已完成{c['done']}项，正常推进{c['green']}项，"
        f"滞后{c['yellow']}项，逾期{c['red']}项。具体情况见下表。"
    )


def code_label(code: str) -> str:
    """第3项 / 第2.3项 for a numbered task; a code such as A-1 stays as it is."""
    return f"第{code}项" if re.fullmatch(r"\d+(\.\d+)*", code or "") else code


def task_reference(code: str, title: str) -> str:
    """第3项“规范联合党支部设置” for a numbered task; “A-1“规范…”” style codes stay as they are."""
    quoted = "“" + title.replace("“", "‘").replace("”", "’") + "”"  # quotes inside quotes are single
    return code_label(code) + quoted if code else quoted


def _problem_tasks_sentence(tasks: Sequence[ProblemTask], kind: str, who: str) -> str:
    if not tasks:
        return f"本月没有{kind}的任务。"
    items = "；".join(
        task_reference(t.code, t.title)
        + "（"
        + "，".join(
            part
            for part in (
                f"牵头单位：{t.lead}" if t.lead else "",
                f"{who}：{join_names(t.units)}" if t.units else "",
            )
            if part
        )
        + "）"
        for t in tasks
    )
    return f"共有{len(tasks)}项任务{kind}：{items}。"


def late_unit_phrase(unit: LateUnit) -> str:
    """“民政局（应报送8个，按时报送6个；第3项逾期报送，第5项未报送）”."""
    missed = []
    if unit.late:
        missed.append("、".join(code_label(c) for c in unit.late) + "逾期报送")
    if unit.missing:
        missed.append("、".join(code_label(c) for c in unit.missing) + "未报送")
    detail = f"应报送{unit.expected}个，按时报送{unit.on_time}个"
    return f"{unit.unit}（{detail}；{'，'.join(missed)}）" if missed else f"{unit.unit}（{detail}）"


def late_sentence(data: BulletinData) -> str:
    if data.late_details:
        return f"{len(data.late_details)}个单位未按时报送：{join_names(late_unit_phrase(u) for u in data.late_details)}。"
    if data.late_units:  # a snapshot published before the details were kept
        return f"{len(data.late_units)}个单位未按时报送：{join_names(data.late_units)}。"
    return "各单位均按时报送。"


def problem_sections(data: BulletinData) -> list[tuple[str, str]]:
    """存在问题 as (second-level heading, paragraph) pairs."""
    return [
        ("（一）任务逾期", _problem_tasks_sentence(data.overdue, "逾期未完成", "逾期单位")),
        ("（二）任务滞后", _problem_tasks_sentence(data.lagging, "进度滞后", "滞后单位")),
        ("（三）未按时报送", late_sentence(data)),
    ]


def _ranking_sentence(entries: Sequence[RankEntry], lead: str, empty: str, order: str = "") -> str:
    """“综合得分前五名（按名次排列）：第1名，交通运输局（95分）；并列第2名，民政局、司法局（90分）。”"""
    if not entries:
        return empty
    groups = []
    for group in rank_groups(entries):
        score = f"（{format_number(group.score)}分）" if group.score is not None else ""
        groups.append(f"{'并列' if group.tied else ''}第{group.rank}名，{join_names(group.units)}{score}")
    tied = any(group.tied for group in rank_groups(entries))
    notes = [f"共{len(entries)}个单位", order, "得分相同的名次并列" if tied else ""]
    return f"{lead}（{'，'.join(n for n in notes if n)}）：{'；'.join(groups)}。"


def ranking_sections(data: BulletinData) -> list[tuple[str, str]]:
    """红榜/黑榜 as (second-level heading, paragraph) pairs."""
    black = _ranking_sentence(data.black_list, "综合得分后五名的单位", "本月暂无上榜单位。", "自低往高排列")
    if data.unranked:
        black += f"{join_names(data.unranked)}本月无应报送事项，不参与排名。"
    return [
        ("（一）红榜", _ranking_sentence(data.red_list, "综合得分前五名的单位", "本月暂无上榜单位。")),
        ("（二）黑榜", black),
    ]
