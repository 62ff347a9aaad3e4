"""Publishing a bulletin: freeze its figures and files, so a published period never changes.

`build` makes a period's BulletinData from the data as it is now (its 下步要求 from the draft the
office saved for the period); `generate` returns a published period's stored bytes unchanged and
builds an unpublished one; `publish` stores the BulletinData (serialize.py) and both files;
`reopen` lets the office publish a period again, with a reason in the audit log.

The 公文's own parts (letterhead.py) are the office's choices for the period, kept on the draft
row (`save_letterhead`), resolved by `letterhead_for` (an empty choice takes the default; the
期号 is the next free number of the year) and written back in full on publication.
"""

from __future__ import annotations

import datetime
import hashlib
import io

from django.db import transaction
from django.utils import timezone

from liangxin.core import audit, events

from . import bulletin as b
from .docx import render_bulletin, uploaded_template
from .letterhead import Letterhead, default_office, issue_label
from .models import Bulletin
from .serialize import bulletin_from_json, bulletin_to_json
from .services import BulletinProblem, make_bulletin
from .workbook import write_bulletin_workbook


def _requirements(text: str | None) -> list[str] | None:
    if text is None or not text.strip():
        return None
    return [line.strip() for line in text.splitlines() if line.strip()]


def period_key(period: datetime.date) -> str:
    return f"{period:%Y-%m}"


def published(period: datetime.date) -> Bulletin | None:
    """The period's published bulletin, or None."""
    return Bulletin.objects.filter(period=period_key(period), status=Bulletin.Status.PUBLISHED).first()


def draft_requirements(period: datetime.date) -> str:
    """The 下步要求 the office saved for the period ("" when none)."""
    row = Bulletin.objects.filter(period=period_key(period)).only("requirements").first()
    return row.requirements if row else ""


@transaction.atomic
def save_requirements(*, period: datetime.date, as_of: datetime.date, text: str, actor) -> Bulletin:
    """Keep the office's 下步要求 for the period as a draft; a published period refuses."""
    key = period_key(period)
    bulletin, _ = Bulletin.objects.select_for_update().get_or_create(period=key, defaults={"as_of": as_of})
    if bulletin.is_published:
        raise BulletinProblem(f"{period.year}年{period.month}月通报已发布，不能再修改“下步要求”")
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if text == bulletin.requirements:
        return bulletin
    before = bulletin.requirements
    bulletin.requirements = text
    bulletin.as_of = as_of
    bulletin.save(update_fields=["requirements", "as_of"])
    audit.record(
        "documents.bulletin.requirements_saved",
        actor=actor,
        object_type="documents.bulletin",
        object_id=key,
        object_repr=str(bulletin),
        before={"requirements": before},
        after={"requirements": text},
    )
    return bulletin


LETTERHEAD_FIELDS = (
    "issuing_office",
    "issue_number",
    "doc_number",
    "recipients",
    "signer",
    "signed_on",
    "copy_to",
)


def _row(period: datetime.date) -> Bulletin | None:
    return Bulletin.objects.filter(period=period_key(period)).defer("docx", "xlsx", "snapshot").first()


def taken_issue_numbers(year: int, *, besides: str = "") -> dict[int, str]:
    """期号 → period of the year's published bulletins (besides the given period)."""
    rows = Bulletin.objects.filter(
        period__startswith=f"{year}-", status=Bulletin.Status.PUBLISHED, issue_number__isnull=False
    ).exclude(period=besides)
    return dict(rows.values_list("issue_number", "period"))


def next_issue_number(year: int, *, besides: str = "") -> int:
    """The 期号 the next bulletin of the year takes: one after the highest published one."""
    return max(taken_issue_numbers(year, besides=besides), default=0) + 1


def letterhead_for(
    period: datetime.date,
    *,
    issue_date: datetime.date,
    row: Bulletin | None = None,
    issuer: str | None = None,
) -> Letterhead:
    """The period's 公文 parts: what the office chose, else the defaults (the 成文日期 is
    issue_date, the publication day; issuer, when given, signs instead)."""
    row = row if row is not None else _row(period)
    office = (row.issuing_office if row else "") or default_office()
    if row is not None and row.doc_number:
        number = row.doc_number
    else:
        chosen = row.issue_number if row is not None else None
        number = issue_label(chosen or next_issue_number(period.year, besides=period_key(period)))
    return Letterhead(
        office=office,
        number=number,
        recipients=(row.recipients if row else "") or b.DEFAULT_RECIPIENTS,
        signer=issuer or (row.signer if row else "") or office,
        signed_on=(row.signed_on if row else None) or issue_date,
        copy_to=row.copy_to if row else "",
    )


def _check_issue_number(period: datetime.date, number: int | None) -> None:
    if number is None:
        return
    other = taken_issue_numbers(period.year, besides=period_key(period)).get(number)
    if other:
        year, month = other.split("-")
        raise BulletinProblem(f"期号“{issue_label(number)}”已用于{year}年{int(month)}月通报，请换一个期号")


@transaction.atomic
def save_letterhead(*, period: datetime.date, as_of: datetime.date, actor, **fields) -> Bulletin:
    """Keep the office's 公文 parts for the period (empty = default); a published period refuses."""
    unknown = set(fields) - set(LETTERHEAD_FIELDS)
    if unknown:
        raise TypeError(f"unknown letterhead fields: {sorted(unknown)}")
    key = period_key(period)
    bulletin, _ = Bulletin.objects.select_for_update().get_or_create(period=key, defaults={"as_of": as_of})
    if bulletin.is_published:
        raise BulletinProblem(f"{period.year}年{period.month}月通报已发布，不能再修改公文要素")
    _check_issue_number(period, fields.get("issue_number"))
    signed_on = fields.get("signed_on")
    if signed_on is not None and signed_on < period:
        raise BulletinProblem(f"成文日期不能早于调度期开始（{period:%Y-%m-%d}）")
    before = {name: getattr(bulletin, name) for name in fields}
    changed = {name: value for name, value in fields.items() if before[name] != value}
    if not changed:
        return bulletin
    for name, value in changed.items():
        setattr(bulletin, name, value)
    bulletin.save(update_fields=list(changed))
    audit.record(
        "documents.bulletin.letterhead_saved",
        actor=actor,
        object_type="documents.bulletin",
        object_id=key,
        object_repr=str(bulletin),
        before={name: before[name] for name in changed},
        after=changed,
    )
    return bulletin


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


def build(*, period, as_of, issue_date, requirements=None, issuer=None, letterhead=None) -> b.BulletinData:
    """The period's bulletin from the data as it is now. requirements: the 下步要求 text (one
    paragraph a line); None takes the office's saved draft, and an empty text the default one.
    letterhead: the 公文 parts (default: the office's choices for the period, letterhead_for)."""
    if requirements is None:
        requirements = draft_requirements(period)
    if letterhead is None:
        letterhead = letterhead_for(period, issue_date=issue_date, issuer=issuer)
    data = make_bulletin(
        period=period,
        as_of=as_of,
        issue_date=letterhead.signed_on,
        issuer=letterhead.signer,
        requirements=_requirements(requirements),
    )
    data.doc_number, data.recipients = letterhead.number, letterhead.recipients
    return _against_published_last_month(data)


def stored_bulletin(bulletin: Bulletin) -> b.BulletinData:
    """A published bulletin's figures as they were published."""
    return bulletin_from_json(bulletin.snapshot)


def _files(data: b.BulletinData, letterhead: Letterhead) -> tuple[bytes, bytes]:
    docx, xlsx = io.BytesIO(), io.BytesIO()
    render_bulletin(data, docx, letterhead=letterhead, template=uploaded_template())
    write_bulletin_workbook(data, xlsx)
    return docx.getvalue(), xlsx.getvalue()


def generate(
    *,
    period: datetime.date,
    as_of: datetime.date,
    issue_date: datetime.date,
    actor,
    requirements=None,
    issuer=None,
) -> tuple[bytes, bytes]:
    """The .docx and .xlsx bytes for a period: the stored ones once it is published (whatever
    the date, requirements or issuer asked for now)."""
    key = period_key(period)
    stored = published(period)
    if stored is not None:
        docx, xlsx = bytes(stored.docx), bytes(stored.xlsx)
        title = stored_bulletin(stored).title
        as_of = stored.as_of
    else:
        letterhead = letterhead_for(period, issue_date=issue_date, issuer=issuer)
        data = build(
            period=period,
            as_of=as_of,
            issue_date=issue_date,
            requirements=requirements,
            letterhead=letterhead,
        )
        docx, xlsx = _files(data, letterhead)
        title = data.title
    audit.record(
        "documents.bulletin.generated",
        actor=actor,
        object_type="documents.bulletin",
        object_id=key,
        object_repr=title,
        after={"period": key, "as_of": as_of, "published": stored is not None},
    )
    return docx, xlsx


@transaction.atomic
def publish(
    *, period: datetime.date, as_of: datetime.date, issue_date: datetime.date, actor, requirements=None
) -> Bulletin:
    """Freeze the period's bulletin; a period is published once (until the office re-opens it).
    requirements=None publishes the office's saved draft of 下步要求. The 公文 parts are the
    office's choices; an empty one takes its default (成文日期: issue_date, the publication day;
    期号: the year's next) and is stored, so the page shows what the document says."""
    key = period_key(period)
    bulletin, _ = Bulletin.objects.select_for_update().get_or_create(period=key, defaults={"as_of": as_of})
    if bulletin.is_published:
        raise BulletinProblem(
            f"{period.year}年{period.month}月通报已于{timezone.localtime(bulletin.published_at):%Y-%m-%d}发布，不能重复发布"
        )
    if requirements is None:
        requirements = bulletin.requirements
    _check_issue_number(period, bulletin.issue_number)
    if not bulletin.doc_number and bulletin.issue_number is None:
        bulletin.issue_number = next_issue_number(period.year, besides=key)
    letterhead = letterhead_for(period, issue_date=issue_date, row=bulletin)
    data = build(
        period=period, as_of=as_of, issue_date=issue_date, requirements=requirements, letterhead=letterhead
    )
    docx, xlsx = _files(data, letterhead)
    bulletin.issuing_office, bulletin.signer = letterhead.office, letterhead.signer
    bulletin.recipients, bulletin.signed_on = letterhead.recipients, letterhead.signed_on
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
        after={"period": key, "as_of": as_of, "sha256": bulletin.sha256, "number": letterhead.number},
    )
    events.emit(
        "bulletin.published",
        {"period": key, "title": data.title, "as_of": as_of.isoformat(), "sha256": bulletin.sha256},
    )
    return bulletin


@transaction.atomic
def reopen(*, period: datetime.date, actor, reason: str) -> Bulletin:
    """Take a published period back to draft so it can be corrected and published again. The
    stored figures and files are dropped; the audit log keeps who, why and the old file's hash."""
    key = period_key(period)
    reason = (reason or "").strip()
    if not reason:
        raise BulletinProblem("重新开放已发布的通报须填写原因")
    bulletin = Bulletin.objects.select_for_update().filter(period=key).first()
    if bulletin is None or not bulletin.is_published:
        raise BulletinProblem(f"{period.year}年{period.month}月通报尚未发布，无需重新开放")
    before = {
        "status": bulletin.status,
        "as_of": bulletin.as_of,
        "sha256": bulletin.sha256,
        "published_at": bulletin.published_at,
        "published_by": str(bulletin.published_by) if bulletin.published_by_id else None,
    }
    bulletin.status = Bulletin.Status.DRAFT
    bulletin.snapshot = bulletin.docx = bulletin.xlsx = None
    bulletin.sha256 = ""
    bulletin.published_at = bulletin.published_by = None
    bulletin.save()
    audit.record(
        "documents.bulletin.reopened",
        actor=actor,
        object_type="documents.bulletin",
        object_id=key,
        object_repr=str(bulletin),
        before=before,
        after={"status": bulletin.status, "reason": reason},
        message=reason,
    )
    return bulletin
