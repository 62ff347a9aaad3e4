"""Every change to the brand campaign: atomic, an explicit actor, an audit record in the same
transaction; writes re-checked through ``restrict(actor, "change")``."""

from __future__ import annotations

import datetime
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from liangxin.brands import revisits
from liangxin.brands.models import Brand, BrandAttachment, Campaign, Revisit, Stage, default_deadline
from liangxin.core import audit
from liangxin.core.models import MemberUnit
from liangxin.core.roles import Role
from liangxin.core.scoping import CHANGE
from liangxin.dispatch import plans
from liangxin.dispatch import reports as dispatch_reports
from liangxin.dispatch.models import Category, Task
from liangxin.dispatch.periods import DispatchError, open_period

CAMPAIGN_MEASURE_KEY = "brands.campaign"


class BrandError(ValueError):
    """A refused change; the message is Chinese and says what and why."""


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False)


@transaction.atomic
def open_campaign(
    year: int,
    *,
    actor,
    units: list[MemberUnit] | None = None,
    deadline: datetime.date | None = None,
    title: str = "",
    revisit_months: list[int] | None = None,
    today: datetime.date | None = None,
    task: Task | None = None,
) -> Campaign:
    """Open the year's campaign on a dispatch task: `task` when the plan already has one (e.g.
    “明确‘两新’组织党建品牌”, its units and 完成时限 by default), else a new task (category
    品牌示范, due on the deadline, reported by the expected units). Either way the task is linked
    to the campaign's measure, so its reports are prefilled with the unit's brands."""
    if _is_user(actor) and actor.role != Role.OFFICE:
        raise PermissionDenied("只有工委办公室可以开启品牌申报")
    if Campaign.objects.filter(year=year).exists():
        raise BrandError(f"{year}年的品牌申报已经开启")
    if task is not None:
        if task.plan.year != year:
            raise BrandError(f"任务“{task.code}. {task.title}”属于{task.plan.year}年清单，不是{year}年")
        if Campaign.objects.filter(task=task).exists():
            raise BrandError(f"任务“{task.code}. {task.title}”已关联其他品牌申报")
        units = units or [a.unit for a in task.assignments.select_related("unit")]
        deadline = deadline or task.deadline
    if not units:
        raise BrandError("请选择应申报的单位")
    deadline = deadline or default_deadline(year)
    today = today or timezone.localdate()
    title = title or f"{year}年“一域一品、一企一品”品牌及示范点申报"
    units = sorted(units, key=lambda u: (u.sort, u.pk))
    measure = f"{CAMPAIGN_MEASURE_KEY}:{year}"
    if task is None:
        task = _new_task(
            year, actor=actor, title=title, units=units, deadline=deadline, today=today, measure=measure
        )
    else:
        missing = [u for u in units if not task.assignments.filter(unit=u).exists()]
        if missing:
            raise BrandError(
                f"{'、'.join(u.name for u in missing)}不是任务“{task.code}. {task.title}”的报送单位"
            )
        Task.objects.filter(pk=task.pk).update(measure=measure)
        task.measure = measure
    campaign = Campaign.objects.create(
        year=year,
        title=title,
        deadline=deadline,
        task=task,
        revisit_months=revisit_months or revisits.revisit_months(),
    )
    campaign.units.set(units)
    audit.record(
        "brands.campaign.opened",
        actor=actor,
        obj=campaign,
        after={**audit.snapshot(campaign), "units": [u.name for u in units], "measure": measure},
    )
    return campaign


def _new_task(year, *, actor, title, units, deadline, today, measure) -> Task:
    plan = plans.get_or_create_plan(year, actor=actor)
    code = f"品牌申报{year}"
    if Task.objects.filter(plan=plan, code=code).exists():
        raise BrandError(f"{year}年清单中已有序号为“{code}”的任务")
    task, _ = plans.save_task(
        plan,
        plans.TaskData(
            code=code,
            category=Category.BRAND,
            title=title,
            requirement=f"各单位于 {deadline:%m月%d日} 前在“品牌与示范点”登记本单位的品牌和示范点，并报送本任务（已完成）",
            lead=units[0],
            units=units,
            start=min(today, deadline),
            deadline=deadline,
            deadline_text=f"{deadline:%Y年%m月%d日}",
            measure=measure,
        ),
        actor=actor,
    )
    return task


def _campaign_snapshot(campaign: Campaign) -> dict:
    return {
        **audit.snapshot(campaign, ["title", "deadline", "revisit_months"]),
        "units": [u.name for u in campaign.units.order_by("sort", "id")],
    }


@transaction.atomic
def update_campaign(
    campaign: Campaign,
    *,
    actor,
    title: str,
    deadline: datetime.date,
    units: list[MemberUnit],
    revisit_months: list[int],
) -> Campaign:
    """The office corrects a campaign: its title, deadline, units and revisit months. The
    campaign's dispatch task follows (完成时限 = the deadline, 报送单位 = the units), so the board's
    lights and the chasing move with it; unanswered revisits are rescheduled to the new months."""
    if _is_user(actor) and actor.role != Role.OFFICE:
        raise PermissionDenied("只有工委办公室可以修改品牌申报")
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one correction at a time
    campaign.refresh_from_db()
    if not units:
        raise BrandError("请选择应申报的单位")
    if deadline.year not in (campaign.year, campaign.year + 1):
        raise BrandError(f"截止日期应在{campaign.year}年内")
    removed = campaign.units.exclude(pk__in=[u.pk for u in units])
    holding = sorted({b.unit.name for b in Brand.objects.filter(campaign=campaign, unit__in=removed)})
    if holding:
        raise BrandError(f"{'、'.join(holding)}已登记品牌，不能移出应申报单位")
    before = _campaign_snapshot(campaign)
    task = campaign.task
    units = sorted(units, key=lambda u: (u.sort, u.pk))
    lead = task.lead if any(u.pk == task.lead_id for u in units) else units[0]
    own_task = task.code == f"品牌申报{campaign.year}"  # the task the campaign made, not the plan's
    plans.save_task(
        task.plan,
        plans.TaskData(
            code=task.code,
            category=task.category,
            title=title if own_task else task.title,
            requirement=task.requirement,
            lead=lead,
            units=units,
            start=min(task.start, deadline),
            deadline=deadline,
            deadline_text=task.deadline_text if deadline == task.deadline else f"{deadline:%Y年%m月%d日}",
            milestones=task.milestones,
        ),
        actor=actor,
        task=task,
    )
    campaign.title, campaign.deadline, campaign.revisit_months = title, deadline, revisit_months
    campaign.save(update_fields=["title", "deadline", "revisit_months"])
    campaign.units.set(units)
    if before["revisit_months"] != revisit_months:
        Revisit.objects.filter(
            brand__campaign=campaign, answered_at__isnull=True, months__in=set(before["revisit_months"])
        ).exclude(months__in=revisit_months).delete()
        for brand in Brand.objects.filter(campaign=campaign, stage=Stage.NAMED, active=True):
            _schedule_revisits(brand)
    old, new = audit.changed(before, _campaign_snapshot(campaign))
    if new:
        audit.record("brands.campaign.updated", actor=actor, obj=campaign, before=old, after=new)
    return campaign


def _check_unit(unit: MemberUnit, actor) -> None:
    if _is_user(actor) and not MemberUnit.objects.restrict(actor, CHANGE).filter(pk=unit.pk).exists():
        raise PermissionDenied(f"不能代“{unit.name}”登记品牌")


def _schedule_revisits(brand: Brand) -> None:
    """A brand named on a date gets its revisits (the campaign's months); a changed date moves
    the unanswered ones. No revisit is added before one already answered (it was checked since)."""
    if brand.stage != Stage.NAMED or brand.named_on is None:
        brand.revisits.filter(answered_at__isnull=True).delete()
        return
    answered = max(
        brand.revisits.filter(answered_at__isnull=False).values_list("months", flat=True), default=0
    )
    for months in brand.campaign.revisit_months:
        if months < answered:
            continue
        due = revisits.add_months(brand.named_on, months)
        revisit = brand.revisits.filter(months=months).first()
        if revisit is None:
            Revisit.objects.create(brand=brand, months=months, due_on=due)
        elif revisit.answered_at is None and revisit.due_on != due:
            revisit.due_on = due
            revisit.save(update_fields=["due_on"])


@transaction.atomic
def save_brand(brand: Brand, *, actor, source: str | None = None) -> Brand:
    """Create or update a brand (the form has set its fields)."""
    _check_unit(brand.unit, actor)
    if (
        brand.pk
        and _is_user(actor)
        and not Brand.objects.restrict(actor, CHANGE).filter(pk=brand.pk).exists()
    ):
        raise PermissionDenied("该品牌不在您的管辖范围内")
    if brand.stage == Stage.NAMED and brand.named_on is None:
        raise BrandError("创建阶段为“已命名”时，请填写命名日期")
    if brand.stage != Stage.NAMED:
        brand.named_on = None
    if not brand.campaign.units.filter(pk=brand.unit_id).exists():
        raise BrandError(f"“{brand.unit.name}”不是{brand.campaign.year}年品牌申报的应申报单位")
    creating = brand.pk is None
    before = {} if creating else audit.snapshot(Brand.objects.get(pk=brand.pk))
    if creating and _is_user(actor):
        brand.created_by = actor
    brand.save()
    _schedule_revisits(brand)
    b, a = audit.changed(before, audit.snapshot(brand))
    if creating:
        audit.record("brands.brand.created", actor=actor, obj=brand, after=a, source=source)
    elif a:
        audit.record("brands.brand.updated", actor=actor, obj=brand, before=b, after=a, source=source)
    return brand


@transaction.atomic
def close_brand(brand: Brand, *, actor, on: datetime.date, note: str) -> Brand:
    """The unit reports that a brand no longer runs (outside a revisit): it is marked inactive on
    that date with what happened, counted as 推出即下架, and its open revisits are dropped."""
    if _is_user(actor) and not Brand.objects.restrict(actor, CHANGE).filter(pk=brand.pk).exists():
        raise PermissionDenied("该品牌不在您的管辖范围内")
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if not brand.active:
        raise BrandError(f"品牌“{brand.name}”已于 {brand.inactive_on:%Y年%m月%d日} 停止运行")
    if not (note or "").strip():
        raise BrandError("请填写停止运行的原因和情况")
    if on > timezone.localdate():
        raise BrandError("停止运行日期不能晚于今天")
    if on < timezone.localdate(brand.created_at):
        raise BrandError(f"停止运行日期不能早于登记日期 {timezone.localdate(brand.created_at):%Y年%m月%d日}")
    brand.active, brand.inactive_on, brand.inactive_note = False, on, note.strip()
    brand.save(update_fields=["active", "inactive_on", "inactive_note"])
    dropped = brand.revisits.filter(answered_at__isnull=True).delete()[0]
    audit.record(
        "brands.brand.closed",
        actor=actor,
        obj=brand,
        before={"active": True},
        after={
            "active": False,
            "inactive_on": on.isoformat(),
            "note": brand.inactive_note,
            "revisits_dropped": dropped,
        },
    )
    return brand


@transaction.atomic
def reopen_brand(brand: Brand, *, actor, note: str) -> Brand:
    """The unit reports that a stopped brand runs again: it is active once more (no longer
    counted as 推出即下架) and a named brand gets back its revisits still ahead. The stop stays
    in the audit log."""
    if _is_user(actor) and not Brand.objects.restrict(actor, CHANGE).filter(pk=brand.pk).exists():
        raise PermissionDenied("该品牌不在您的管辖范围内")
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    if brand.active:
        raise BrandError(f"品牌“{brand.name}”仍在运行，无需恢复")
    if not (note or "").strip():
        raise BrandError("请填写恢复运行的情况")
    before = {
        "active": False,
        "inactive_on": brand.inactive_on.isoformat() if brand.inactive_on else None,
        "note": brand.inactive_note,
    }
    brand.active, brand.inactive_on, brand.inactive_note = True, None, ""
    brand.save(update_fields=["active", "inactive_on", "inactive_note"])
    _schedule_revisits(brand)
    # the revisits that fell due while it was stopped are not chased afterwards
    brand.revisits.filter(answered_at__isnull=True, due_on__lt=timezone.localdate()).delete()
    audit.record(
        "brands.brand.reopened",
        actor=actor,
        obj=brand,
        before=before,
        after={"active": True, "note": note.strip()},
    )
    return brand


@transaction.atomic
def add_evidence(brand: Brand, upload, *, actor) -> BrandAttachment:
    if _is_user(actor) and not Brand.objects.restrict(actor, CHANGE).filter(pk=brand.pk).exists():
        raise PermissionDenied("该品牌不在您的管辖范围内")
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in dispatch_reports.ATTACHMENT_EXTENSIONS:
        raise BrandError(f"附件“{upload.name}”的类型不支持，请上传 PDF、Word、Excel、图片、文本或 zip 文件")
    limit = dispatch_reports.attachment_limit()
    if upload.size > limit:
        raise BrandError(
            f"附件“{upload.name}”大小为 {upload.size / 1048576:.1f} MB，超过上限 {limit // 1048576} MB"
        )
    attachment = BrandAttachment(brand=brand, name=PurePath(upload.name).name[:200], size=upload.size)
    attachment.file.save(attachment.name, upload, save=False)
    attachment.save()
    audit.record("brands.brand.evidence_added", actor=actor, obj=brand, after={"file": attachment.name})
    return attachment


@transaction.atomic
def answer_revisit(
    revisit: Revisit, *, actor, still_active: bool, note: str, at: datetime.datetime | None = None
) -> Revisit:
    """The unit's answer. A brand found no longer running is marked inactive (“推出即下架”)."""
    if _is_user(actor) and not Revisit.objects.restrict(actor, CHANGE).filter(pk=revisit.pk).exists():
        raise PermissionDenied("该回访不在您的管辖范围内")
    revisit = Revisit.objects.select_for_update().select_related("brand").get(pk=revisit.pk)
    if revisit.answered_at is not None:
        raise BrandError("该回访已填报")
    if not (note or "").strip():
        raise BrandError("请填写命名以来的情况")
    at = at or timezone.now()
    revisit.answered_at, revisit.still_active, revisit.note = at, still_active, note.strip()
    revisit.answered_by = actor if _is_user(actor) else None
    revisit.save()
    brand = revisit.brand
    if not still_active and brand.active:
        brand.active, brand.inactive_on = False, timezone.localdate(at)
        brand.inactive_note = f"命名满 {revisit.months} 个月回访：{revisit.note}"
        brand.save(update_fields=["active", "inactive_on", "inactive_note"])
        brand.revisits.filter(answered_at__isnull=True).delete()  # nothing left to revisit
    audit.record(
        "brands.revisit.answered",
        actor=actor,
        obj=revisit,
        after={"still_active": still_active, "note": revisit.note, "brand": brand.name},
    )
    return revisit


def report_brands(campaign: Campaign, unit: MemberUnit, *, actor, at: datetime.datetime | None = None):
    """报送: the unit's report on the campaign's task for this month, prefilled with its brands
    (the measure), submitted as 已完成 — the same report the dispatch's form would submit."""
    _check_unit(unit, actor)
    at = at or timezone.now()
    if not Brand.objects.filter(campaign=campaign, unit=unit).exists():
        raise BrandError("本单位还没有登记品牌或示范点，请先登记再报送")
    period, _ = open_period(timezone.localdate(at), actor=actor)
    if period is None:
        raise BrandError(f"{timezone.localdate(at).year}年没有重点任务清单，无法报送")
    data = dispatch_reports.prefill(campaign.task, unit, period, today=timezone.localdate(at))
    data.pop("measure", None)
    try:
        return dispatch_reports.save_report(
            actor=actor, task=campaign.task, unit=unit, period=period, data=data, submit=True, at=at
        )
    except DispatchError as exc:
        raise BrandError(str(exc)) from None
