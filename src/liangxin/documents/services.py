"""Making the bulletin: gather the period's figures, build the BulletinData, write the files.

The figures are the domain's own answers — the coverage engine's table and the dispatch period
status for the period and date, and for last month — the same objects the `coverage` and
`dispatch_status` commands print, so the bulletin says exactly what they (and the pages) say.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from liangxin.core import audit
from liangxin.core.dates import month_before
from liangxin.coverage import engine
from liangxin.dispatch.models import Period
from liangxin.dispatch.status import PeriodStatus, period_status
from liangxin.registry.models import Organization

from . import bulletin as b
from .docx import render_bulletin, uploaded_template
from .letterhead import default_office
from .sources import bulletin_from_status
from .workbook import write_bulletin_workbook


class BulletinProblem(Exception):
    """The bulletin cannot be made; the message says why in Chinese."""


@dataclass
class Figures:
    status: PeriodStatus
    coverage: engine.CoverageTable
    previous_status: PeriodStatus | None
    previous_coverage: engine.CoverageTable | None


def _period(month: datetime.date) -> Period | None:
    return Period.objects.filter(month=month.replace(day=1)).select_related("plan").first()


def city_coverage(as_of: datetime.date) -> engine.CoverageTable:
    """The city's coverage by county on `as_of`, over every organization (the office's view)."""
    return engine.coverage(Organization.objects.all(), as_of=as_of)


def gather_figures(period: datetime.date, as_of: datetime.date) -> Figures:
    """This month's and last month's figures (last month's as of the same point a month earlier)."""
    current = _period(period)
    if current is None:
        raise BulletinProblem(
            f"{period.year}年{period.month}月通报无法生成：调度期 {period:%Y-%m} 不存在（尚未打开或该年度没有任务清单）"
        )
    before, before_as_of = month_before(period.replace(day=1)), month_before(as_of)
    previous = _period(before)  # None in the first month of the plan: no comparison
    try:
        return Figures(
            status=period_status(current, as_of),
            coverage=city_coverage(as_of),
            previous_status=period_status(previous, before_as_of) if previous else None,
            previous_coverage=city_coverage(before_as_of),
        )
    except engine.CoverageError as error:
        raise BulletinProblem(f"{period.year}年{period.month}月通报无法生成：{error.message}") from error


def default_issuer() -> str:
    return default_office()


def make_bulletin(
    *,
    period: datetime.date,
    as_of: datetime.date,
    issue_date: datetime.date,
    issuer: str | None = None,
    requirements: Sequence[str] | None = None,
) -> b.BulletinData:
    """requirements=None: the 下步要求 drafted from the month's facts."""
    figures = gather_figures(period, as_of)
    return bulletin_from_status(
        status=figures.status,
        coverage=figures.coverage,
        previous_status=figures.previous_status,
        previous_coverage=figures.previous_coverage,
        issuer=issuer or default_issuer(),
        issue_date=issue_date,
        requirements=requirements,
    )


def write_bulletin_files(
    data: b.BulletinData,
    *,
    actor,
    docx_target: Path | str,
    xlsx_target: Path | str | None = None,
    letterhead=None,
) -> None:
    """Write the .docx (and the workbook) and record the export in the audit log. letterhead:
    the 公文 parts (publishing.letterhead_for); None: what the data implies."""
    render_bulletin(data, docx_target, template=uploaded_template(), letterhead=letterhead)
    if xlsx_target:
        write_bulletin_workbook(data, xlsx_target)
    audit.record(
        "documents.bulletin.generated",
        actor=actor,
        object_type="documents.bulletin",
        object_id=data.period_code,
        object_repr=data.title,
        after={
            "period": data.period_code,
            "as_of": data.as_of,
            "files": [str(p) for p in (docx_target, xlsx_target) if p],
        },
    )
