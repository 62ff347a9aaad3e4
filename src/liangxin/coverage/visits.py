"""党建指导员走访: an instructor records a visit to an organization assigned to them (from a phone);
the office, a county or a township may record one for an instructor it keeps."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from liangxin.core import audit, effects
from liangxin.core.roles import Role
from liangxin.core.scoping import CHANGE
from liangxin.coverage import engine
from liangxin.coverage.models import Assignment, Instructor, Visit

NOT_YOURS = "该党建指导员不存在或不在您的管辖范围内"


def may_record_for(actor, instructor: Instructor) -> bool:
    """An instructor for themself; otherwise whoever may change the instructor's record."""
    if actor is None:
        return True
    if getattr(actor, "role", None) == Role.INSTRUCTOR:
        return instructor.user_id == actor.pk
    return Instructor.objects.restrict(actor, CHANGE).filter(pk=instructor.pk).exists()


def assigned_on(instructor: Instructor, day: datetime.date):
    """The organizations assigned to `instructor` on `day`."""
    from liangxin.registry.models import Organization

    return Organization.objects.filter(
        pk__in=Assignment.objects.filter(engine.assignment_active_q(day), instructor=instructor).values(
            "organization_id"
        )
    ).order_by("name")


@transaction.atomic
def record_visit(
    instructor: Instructor,
    *,
    actor,
    organization,
    visited_on: datetime.date,
    work_done: str,
    problems: str = "",
    today: datetime.date,
) -> Visit:
    instructor = Instructor.objects.select_for_update().filter(pk=instructor.pk).first()
    if instructor is None or not may_record_for(actor, instructor):
        raise ValidationError(NOT_YOURS)
    errors = {}
    if visited_on > today:
        errors["visited_on"] = "走访日期不能晚于今天"
    elif not assigned_on(instructor, visited_on).filter(pk=organization.pk).exists():
        errors["organization"] = (
            f"{visited_on:%Y-%m-%d}“{organization.name}”不在{instructor.name}的指导范围内（以派驻日期和结束日期为准）"
        )
    if not work_done.strip():
        errors["work_done"] = "请填写指导内容"
    if errors:
        raise ValidationError(errors)
    visit = Visit(
        instructor=instructor,
        organization=organization,
        visited_on=visited_on,
        work_done=work_done.strip(),
        problems=problems.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    visit.save()
    effects.figures_changed()  # 有效工作覆盖率 counts visits: after commit, the cockpit warm-up
    audit.record("coverage.visit.recorded", actor=actor, obj=visit, after=audit.snapshot(visit))
    return visit
