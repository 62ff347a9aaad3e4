"""Saving an assessment: atomic, an explicit actor, an audit record in the same transaction;
only an organization the actor may change, and only one with a party organization (单独 or
联合组建, active on the assessment date — the coverage engine decides)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from liangxin.core import audit
from liangxin.core.scoping import CHANGE
from liangxin.coverage import engine
from liangxin.integration.models import DIMENSIONS, Assessment
from liangxin.registry.models import Organization


class AssessmentError(ValueError):
    """A refused assessment; the message is Chinese and says why."""


def with_party_organization(organizations, as_of: datetime.date):
    """The organizations covered by a party organization (单独/联合组建) on `as_of`."""
    return engine.organizations_with_status(organizations, as_of=as_of).filter(
        coverage__in=[engine.SINGLE, engine.JOINT]
    )


def check_assessable(organization: Organization, as_of: datetime.date) -> None:
    if not with_party_organization(Organization.objects.filter(pk=organization.pk), as_of).exists():
        raise AssessmentError(
            f"“{organization.name}”在 {as_of:%Y-%m-%d} 没有单独或联合组建的党组织，不能进行“五融入五提升”评估"
            "（请先在“党组织”中登记其党组织）"
        )


@transaction.atomic
def save_assessment(
    organization: Organization,
    *,
    actor,
    year: int,
    scores: dict[str, int],
    notes: dict[str, str] | None = None,
    assessor: str,
    assessed_on: datetime.date,
    source: str | None = None,
) -> tuple[Assessment, str]:
    """Create or update the organization's assessment of `year`. Returns (assessment, outcome)."""
    if getattr(actor, "is_authenticated", False) and not (
        Organization.objects.restrict(actor, CHANGE).filter(pk=organization.pk).exists()
    ):
        raise PermissionDenied(f"“{organization.name}”不在您的管辖范围内")
    for key, label in DIMENSIONS:
        value = scores.get(key)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise AssessmentError(f"“{label}”的评分应为 1 到 5 的整数")
    if not (assessor or "").strip():
        raise AssessmentError("请填写评估人")
    check_assessable(organization, assessed_on)
    assessment = Assessment.objects.select_for_update().filter(organization=organization, year=year).first()
    before = audit.snapshot(assessment) if assessment else None
    assessment = assessment or Assessment(organization=organization, year=year)
    for key, _ in DIMENSIONS:
        setattr(assessment, key, scores[key])
        if notes is not None and key in notes:
            setattr(assessment, f"{key}_note", notes[key] or "")
    assessment.assessor, assessment.assessed_on = assessor.strip(), assessed_on
    after = audit.snapshot(assessment)
    if before is not None:
        b, a = audit.changed(before, after)
        a.pop("updated_at", None)
        b.pop("updated_at", None)
        if not a:
            return assessment, "unchanged"
    if before is None and getattr(actor, "is_authenticated", False):
        assessment.created_by = actor
    assessment.save()
    if before is None:
        audit.record(
            "integration.assessment.created", actor=actor, obj=assessment, after=after, source=source
        )
        return assessment, "created"
    audit.record(
        "integration.assessment.updated", actor=actor, obj=assessment, before=b, after=a, source=source
    )
    return assessment, "updated"
