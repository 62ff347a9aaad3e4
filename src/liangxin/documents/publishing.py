"""Publishing a bulletin: freeze its figures and files, so a published period never changes.

`generate` returns a published period's stored bytes unchanged; an unpublished period is built
from the data as it is now. `publish` stores the BulletinData (serialize.py) and both files.
"""

from __future__ import annotations

import datetime
import hashlib
import io

from django.db import transaction
from django.utils import timezone

from liangxin.core import audit

from . import bulletin as b
from .docx import render_bulletin
from .models import Bulletin
from .serialize import bulletin_from_json, bulletin_to_json
from .services import BulletinProblem, make_bulletin
from .workbook import write_bulletin_workbook


def _requirements(text: str | None) -> list[str] | None:
    if text is None or not text.strip():
        return None
    return [line.strip() for line in text.splitlines() if line.strip()]


def _against_published_last_month(data: b.BulletinData) -> b.BulletinData:
    """Changes from last month read last month's published snapshot when there is one."""
    before = f"{data.year - 1}-12" if data.month == 1 else f"{data.year}-{data.month - 1:02d}"
    stored = Bulletin.objects.filter(period=before, status=Bulletin.Status.PUBLISHED).first()
    if stored is None:
        return data
    last = bulletin_from_json(stored.snapshot)
    rows = {r.name: r for r in [*last.coverage, last.coverage_total]}
    for row in [*data.coverage, data.coverage_total]:
        old = rows.get(row.name)
        if old is not None:
            row.org_rate_change = b.change_points(row.org_rate, old.org_rate)
            row.single_rate_change = b.change_points(row.single_rate, old.single_rate)
            row.work_rate_change = b.change_points(row.work_rate, old.work_rate)
    now, old = data.overall, last.overall
    now.report_rate_change = b.change_points(now.report_rate, old.report_rate)
    now.on_time_rate_change = b.change_points(now.on_time_rate, old.on_time_rate)
    return data


def _build(*, period, as_of, issue_date, requirements) -> b.BulletinData:
    data = make_bulletin(
        period=period, as_of=as_of, issue_date=issue_date, requirements=_requirements(requirements)
    )
    return _against_published_last_month(data)


def _files(data: b.BulletinData) -> tuple[bytes, bytes]:
    docx, xlsx = io.BytesIO(), io.BytesIO()
    render_bulletin(data, docx)
    write_bulletin_workbook(data, xlsx)
    return docx.getvalue(), xlsx.getvalue()


def generate(
    *, period: datetime.date, as_of: datetime.date, issue_date: datetime.date, actor, requirements=None
) -> tuple[bytes, bytes]:
    """The .docx and .xlsx bytes for a period: the stored ones once it is published."""
    key = f"{period:%Y-%m}"
    stored = Bulletin.objects.filter(period=key, status=Bulletin.Status.PUBLISHED).first()
    if stored is not None:
        docx, xlsx = bytes(stored.docx), bytes(stored.xlsx)
        title = bulletin_from_json(stored.snapshot).title
    else:
        data = _build(period=period, as_of=as_of, issue_date=issue_date, requirements=requirements)
        docx, xlsx = _files(data)
        title = data.title
    audit.record(
        "documents.bulletin.generated",
        actor=actor,
        object_type="documents.bulletin",
        object_id=key,
        object_repr=title,
        after={"period": key, "published": stored is not None},
    )
    return docx, xlsx


@transaction.atomic
def publish(
    *, period: datetime.date, as_of: datetime.date, issue_date: datetime.date, actor, requirements=None
) -> Bulletin:
    """Freeze the period's bulletin; a period is published once."""
    key = f"{period:%Y-%m}"
    bulletin, _ = Bulletin.objects.select_for_update().get_or_create(period=key, defaults={"as_of": as_of})
    if bulletin.is_published:
        raise BulletinProblem(
            f"{period.year}年{period.month}月通报已于{bulletin.published_at:%Y-%m-%d}发布，不能重复发布"
        )
    data = _build(period=period, as_of=as_of, issue_date=issue_date, requirements=requirements)
    docx, xlsx = _files(data)
    bulletin.as_of = as_of
    bulletin.requirements = requirements or ""
    bulletin.snapshot = bulletin_to_json(data)
    bulletin.docx, bulletin.xlsx = docx, xlsx
    bulletin.sha256 = hashlib.sha256(docx).hexdigest()
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.published_by = actor
    bulletin.save()
    audit.record(
        "documents.bulletin.published",
        actor=actor,
        object_type="documents.bulletin",
        object_id=key,
        object_repr=data.title,
        after={"period": key, "as_of": as_of, "sha256": bulletin.sha256},
    )
    return bulletin
