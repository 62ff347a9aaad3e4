"""Making the bulletin: gather the period's figures, build the BulletinData, write the files.

The figures come through the platform's published JSON contracts, `liangxin coverage --json`
and `liangxin dispatch_status --period P --json`, so the bulletin says exactly what those
commands (and the pages that read the same services) say for the same period and date.
"""

from __future__ import annotations

import calendar
import datetime
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.core import audit
from liangxin.core.models import Installation

from . import bulletin as b
from .docx import render_bulletin
from .sources import bulletin_from_figures
from .workbook import write_bulletin_workbook


class BulletinProblem(Exception):
    """The bulletin cannot be made; the message says why in Chinese."""


@dataclass
class Figures:
    coverage: dict
    dispatch: dict
    previous_coverage: dict | None
    previous_dispatch: dict | None


def month_before(day: datetime.date) -> datetime.date:
    """The same day a month earlier, or that month's last day (May 31 → April 30)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _json_of(command: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def gather_figures(period: datetime.date, as_of: datetime.date) -> Figures:
    """This month's and last month's figures (last month's as of the same point a month earlier)."""
    key = f"{period:%Y-%m}"
    try:
        dispatch = _json_of("dispatch_status", "--period", key, "--as-of", as_of.isoformat())
        coverage = _json_of("coverage", "--as-of", as_of.isoformat())
    except CommandError as error:
        raise BulletinProblem(f"{period.year}年{period.month}月通报无法生成：{error}") from error
    before, before_as_of = month_before(period), month_before(as_of)
    try:
        previous_dispatch = _json_of(
            "dispatch_status", "--period", f"{before:%Y-%m}", "--as-of", before_as_of.isoformat()
        )
    except CommandError:
        previous_dispatch = None  # the first month of the plan: no comparison
    previous_coverage = _json_of("coverage", "--as-of", before_as_of.isoformat())
    return Figures(coverage, dispatch, previous_coverage, previous_dispatch)


def default_issuer() -> str:
    city = Installation.current_city()
    return f"中共{city.name if city else ''}委党建工作领导小组办公室"


def make_bulletin(
    *,
    period: datetime.date,
    as_of: datetime.date,
    issue_date: datetime.date,
    issuer: str | None = None,
    requirements: Sequence[str] | None = None,
) -> b.BulletinData:
    figures = gather_figures(period, as_of)
    return bulletin_from_figures(
        coverage=figures.coverage,
        dispatch=figures.dispatch,
        previous_coverage=figures.previous_coverage,
        previous_dispatch=figures.previous_dispatch,
        issuer=issuer or default_issuer(),
        issue_date=issue_date,
        requirements=b.DEFAULT_REQUIREMENTS if requirements is None else requirements,
    )


def write_bulletin_files(
    data: b.BulletinData,
    *,
    actor,
    docx_target: Path | str,
    xlsx_target: Path | str | None = None,
) -> None:
    """Write the .docx (and the workbook) and record the export in the audit log."""
    render_bulletin(data, docx_target)
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
