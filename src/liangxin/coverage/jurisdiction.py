"""What an instructor (党建指导员) sees: the organizations currently assigned to them, the party
organizations currently covering those, the inspections of those party organizations, their own
instructor record, and the regions and functional areas those organizations lie in (so the
coverage pages can name and drill into them). Nothing else: every other scoped model has no rule
and shows an instructor nothing (see `liangxin.core.scoping`).

An account is an instructor's when ``Instructor.user`` points to it (set on the instructor's
form, or by the demo). An assignment grants access from its start until the day it ends."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from liangxin.core.models import Area, Region
from liangxin.core.roles import Role
from liangxin.core.scoping import Scope, register_user_rule
from liangxin.coverage.engine import assignment_active_q, link_active_q
from liangxin.coverage.models import (
    Assignment,
    BranchInspection,
    CoverageLink,
    Instructor,
    PartyOrganization,
    Rectification,
    Visit,
)
from liangxin.registry.models import Organization


def assigned_organization_ids(scope: Scope) -> QuerySet:
    """The ids of the organizations assigned today to the instructor record of `scope.user_id`."""
    today = timezone.localdate()
    return Assignment.objects.filter(assignment_active_q(today), instructor__user_id=scope.user_id).values(
        "organization_id"
    )


def _assigned(scope: Scope) -> QuerySet:
    return Organization.objects.filter(pk__in=assigned_organization_ids(scope))


def covering_party_org_ids(scope: Scope) -> QuerySet:
    today = timezone.localdate()
    return CoverageLink.objects.filter(
        link_active_q(today), organization_id__in=assigned_organization_ids(scope)
    ).values("party_org_id")


def organizations_q(scope: Scope) -> Q:
    return Q(pk__in=assigned_organization_ids(scope))


def party_organizations_q(scope: Scope) -> Q:
    return Q(pk__in=covering_party_org_ids(scope))


def inspections_q(scope: Scope) -> Q:
    return Q(party_org_id__in=covering_party_org_ids(scope))


def visits_q(scope: Scope) -> Q:
    """The instructor's own visits (also to an organization no longer assigned)."""
    return Q(instructor__user_id=scope.user_id)


def instructors_q(scope: Scope) -> Q:
    return Q(user_id=scope.user_id)


def regions_q(scope: Scope) -> Q:
    orgs = _assigned(scope)
    q = Q(pk__in=[])
    for level in ("city", "county", "township"):
        q |= Q(code__in=orgs.values(f"{level}_code"))
    return q


def areas_q(scope: Scope) -> Q:
    return Q(pk__in=_assigned(scope).exclude(area_id=None).values("area_id"))


def register() -> None:
    rules = {
        Organization: organizations_q,
        PartyOrganization: party_organizations_q,
        BranchInspection: inspections_q,
        Rectification: inspections_q,
        Visit: visits_q,
        Instructor: instructors_q,
        Region: regions_q,
        Area: areas_q,
    }
    for model, rule in rules.items():
        register_user_rule(Role.INSTRUCTOR, model, rule)
