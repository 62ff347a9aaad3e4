"""Which member unit a user acts for. Unit names written in a table are matched in one place,
`liangxin.core.unitnames` (re-exported here for the dispatch's importers)."""

from __future__ import annotations

from django.db.models import QuerySet

from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.core.roles import Role
from liangxin.core.scoping import scope_for
from liangxin.core.unitnames import UnitNames

__all__ = ["UnitNames", "acting_unit", "acting_unit_query"]


def acting_unit_query(user) -> QuerySet[MemberUnit] | None:
    """The unit a user reports for as a query of at most one row, to use inside another query:
    a member unit user's own, a county user's 组织部. None when the user reports for no unit."""
    if user is None or not user.is_authenticated:
        return None
    if user.role == Role.MEMBER_UNIT and user.member_unit_id:
        return MemberUnit.objects.filter(pk=user.member_unit_id)
    if user.role == Role.COUNTY and user.region_id:
        return MemberUnit.objects.filter(kind=MemberUnitKind.COUNTY_ORG, region_id=user.region_id).order_by(
            "sort", "id"
        )[:1]
    return None


def users_acting_for(unit: MemberUnit):
    """The active accounts that report for `unit` (the reverse of `acting_unit_query`): its
    member-unit users, and for a county's 组织部 the county's users."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    who = Q(role=Role.MEMBER_UNIT, member_unit=unit)
    if unit.kind == MemberUnitKind.COUNTY_ORG and unit.region_id:
        first = MemberUnit.objects.filter(kind=MemberUnitKind.COUNTY_ORG, region_id=unit.region_id)
        if first.order_by("sort", "id").values_list("pk", flat=True).first() == unit.pk:
            who |= Q(role=Role.COUNTY, region_id=unit.region_id)
    return get_user_model().objects.filter(who, is_active=True).order_by("id")


def visible_unit_ids(user) -> set[int] | None:
    """The member units whose dispatch rows (their cells on the board, the chase lists, the
    cockpit, their reports) `user` sees; None: every unit. The scope rule of `Report` (a report
    is seen with its unit: ``unit_id``, ``unit__<level>_code``), read off the units themselves
    so units that have not reported yet count too."""
    from liangxin.dispatch.models import Report

    if scope_for(user).q(Report) is None:
        return None
    return set(MemberUnit.objects.restrict(user).values_list("pk", flat=True))


def acting_unit(user) -> MemberUnit | None:
    """The unit a user reports for (see `acting_unit_query`)."""
    if user is not None and user.is_authenticated and user.role == Role.MEMBER_UNIT:
        return user.member_unit  # usually loaded already
    query = acting_unit_query(user)
    return query.first() if query is not None else None
