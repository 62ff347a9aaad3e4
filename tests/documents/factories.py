"""A sample bulletin with distinctive numbers, so a test can find every one of them in the output."""

from __future__ import annotations

import datetime
from decimal import Decimal

from liangxin.documents.bulletin import (
    BulletinData,
    CoverageRow,
    GridRow,
    LateUnit,
    OverallFigures,
    ProblemTask,
    RankEntry,
    TaskRow,
    UnitRow,
)


def coverage_row(name: str, in_scope: int, single: int, joint: int, work: int, **fields) -> CoverageRow:
    return CoverageRow(
        name=name,
        in_scope=in_scope,
        org_rate=Decimal(single + joint) / in_scope,
        single_rate=Decimal(single) / in_scope,
        work_rate=Decimal(single + joint + work) / in_scope,
        should_build=fields.pop("should_build", 0),
        uncovered=fields.pop("uncovered", in_scope - single - joint - work),
        **fields,
    )


def sample_bulletin(**overrides) -> BulletinData:
    fields = {
        "year": 2022,
        "month": 5,
        "as_of": datetime.date(2022, 5, 31),
        "issuer": "中共吉安市委党建工作领导小组办公室",
        "issue_date": datetime.date(2022, 6, 6),
        "overall": OverallFigures(
            task_count=17,
            expected=214,
            submitted=193,
            on_time=176,
            done=23,
            green=141,
            yellow=31,
            red=19,
            earlier_done=5,
            report_rate_change=Decimal("2.6"),
            on_time_rate_change=Decimal("-1.4"),
        ),
        "coverage": [
            coverage_row("吉州区", 1600, 1000, 301, 150, should_build=37, org_rate_change=Decimal("1.2")),
            coverage_row("青原区", 830, 402, 211, 120, should_build=44, org_rate_change=Decimal("-0.4")),
            coverage_row("吉安县", 520, 250, 90, 60, should_build=29, org_rate_change=Decimal("0")),
        ],
        "coverage_total": coverage_row(
            "全市",
            2950,
            1652,
            602,
            330,
            should_build=110,
            org_rate_change=Decimal("0.8"),
            single_rate_change=Decimal("0.3"),
            work_rate_change=None,
        ),
        "tasks": [
            TaskRow("1", "开展两新组织党组织书记轮训", "市委组织部", "done", "已完成轮训286人次"),
            TaskRow("2", "推进非公企业党组织应建尽建", "市场监管局", "yellow", "完成进度47%"),
            TaskRow("3", "规范联合党支部设置", "民政局", "red", "尚有9个联合支部未排查"),
            TaskRow("4", "新就业群体“暖心驿站”建设", "交通运输局", "green", "新建驿站12个"),
        ],
        "overdue": [ProblemTask("3", "规范联合党支部设置", ["民政局", "青原区委组织部"], lead="民政局")],
        "lagging": [ProblemTask("2", "推进非公企业党组织应建尽建", ["吉安县委组织部"], lead="市场监管局")],
        "late_units": ["邮政管理局", "网信办"],
        "late_details": [
            LateUnit("邮政管理局", 4, 3, late=["2"]),
            LateUnit("网信办", 4, 1, late=["1", "2"], missing=["4"]),
        ],
        "red_list": [
            RankEntry(1, "市场监管局", Decimal("98.5")),
            RankEntry(2, "吉州区委组织部", 96),
            RankEntry(2, "民政局", 96),
        ],
        "black_list": [RankEntry(27, "网信办", Decimal("61.5"))],
        "requirements": ["各责任单位要对照任务清单，倒排工期、挂图作战。", "市委党建办将持续跟踪调度。"],
        "units": [
            UnitRow("市场监管局", 12, 12, 12, Decimal("98.5"), 1),
            UnitRow("网信办", 4, 3, 1, Decimal("61.5"), 27),
        ],
        "grid": [
            GridRow(
                "1", "开展两新组织党组织书记轮训", "市委组织部", "吉州区委组织部", "done", "已报送", 100, True
            ),
            GridRow(
                "2",
                "推进非公企业党组织应建尽建",
                "市场监管局",
                "吉安县委组织部",
                "yellow",
                "已报送",
                47,
                False,
            ),
            GridRow("3", "规范联合党支部设置", "民政局", "青原区委组织部", "red", "未报送", None, None),
        ],
    }
    fields.update(overrides)
    return BulletinData(**fields)
