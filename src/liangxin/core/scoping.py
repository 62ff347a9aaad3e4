"""Jurisdiction: what a user may see. The one place where scope rules live.

A user's jurisdiction is a region subtree, a functional area and/or a member unit. Each scoped
model says, with three class attributes, which of its fields answer to those:

* ``scope_region``: prefix of the model's ancestor-code columns (``""`` for ``province_code`` …
  on the model itself, ``"organization__"`` through a relation), or ``None``;
* ``scope_area``: the lookup that equals an area id, or ``None``;
* ``scope_member_unit``: the lookup that equals a member-unit id, or ``None``;
* ``scope_industry`` / ``scope_industry_section``: lookups of a GB/T 4754 大类 code / 门类
  letter, for rows a member unit supervises by industry; ``scope_tags_q(tags)``: a classmethod
  giving the rows carrying any of a member unit's key-group tags;
* ``scope_distinct``: True when one of those lookups crosses a to-many relation;
* ``scope_all_roles``: roles that see every row of the model (the office, and for reference
  data the system administrator).

`Scope.q(model)` turns that into one ``Q`` (the union of what the user may see). The default
managers expose it as ``Model.objects.visible_to(user)``, and views get querysets only that way.

Some roles have no place or unit as jurisdiction but the records that name the user: an
instructor (党建指导员) sees the organizations currently assigned to them, and what hangs on
those. For such a role (`USER_RULE_ROLES`) the region, area and member-unit attributes do not
apply: the app that owns those records registers, per model, a rule ``rule(scope) -> Q``
(`register_user_rule`, from its ``AppConfig.ready()``), so core does not import it; a model
without a rule shows such a user nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from liangxin.core.roles import Role

if TYPE_CHECKING:
    from liangxin.accounts.models import User

LEVELS = ("province", "city", "county", "township")

# Roles whose jurisdiction is the records naming the user, given per model by registered rules.
USER_RULE_ROLES = frozenset({Role.INSTRUCTOR})

UserRule = Callable[["Scope"], Q]
_user_rules: dict[tuple[str, str], UserRule] = {}


def register_user_rule(role: str, model: type[models.Model], rule: UserRule) -> None:
    """`rule(scope)` gives the rows of `model` a user of `role` may see (``scope.user_id``)."""
    if role not in USER_RULE_ROLES:
        raise ValueError(f"{role!r} is not a role whose jurisdiction is given by user rules")
    _user_rules[(role, model._meta.concrete_model._meta.label_lower)] = rule


def user_rule(role: str, model: type[models.Model]) -> UserRule | None:
    return _user_rules.get((role, model._meta.concrete_model._meta.label_lower))


@dataclass(frozen=True)
class Scope:
    role: str
    user_id: int | None = None
    region_level: str | None = None
    region_code: str | None = None
    area_id: int | None = None
    member_unit_id: int | None = None
    member_unit_divisions: tuple[str, ...] = ()
    member_unit_sections: tuple[str, ...] = ()
    member_unit_tags: tuple[str, ...] = ()

    def q(self, model: type[models.Model]) -> Q | None:
        """The filter for `model`, or None when the user sees all of it."""
        if self.role in getattr(model, "scope_all_roles", ()):
            return None
        if self.role in USER_RULE_ROLES:
            rule = user_rule(self.role, model)
            return rule(self) if rule is not None and self.user_id else Q(pk__in=[])
        q = Q(pk__in=[])
        region_prefix = getattr(model, "scope_region", None)
        if self.region_code and region_prefix is not None:
            q |= Q(**{f"{region_prefix}{self.region_level}_code": self.region_code})
        area_lookup = getattr(model, "scope_area", None)
        if self.area_id and area_lookup:
            q |= Q(**{area_lookup: self.area_id})
        unit_lookup = getattr(model, "scope_member_unit", None)
        if self.member_unit_id and unit_lookup:
            q |= Q(**{unit_lookup: self.member_unit_id})
        industry_lookup = getattr(model, "scope_industry", None)
        if self.member_unit_divisions and industry_lookup:
            q |= Q(**{f"{industry_lookup}__in": self.member_unit_divisions})
        section_lookup = getattr(model, "scope_industry_section", None)
        if self.member_unit_sections and section_lookup:
            q |= Q(**{f"{section_lookup}__in": self.member_unit_sections})
        if self.member_unit_tags and hasattr(model, "scope_tags_q"):
            q |= model.scope_tags_q(self.member_unit_tags)
        return q


NO_SCOPE = Scope(role="")


def scope_for(user: User | None) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_liangxin_scope", None)
    if cached is not None:
        return cached
    region = user.region
    unit = user.member_unit
    codes = list(unit.industries.values_list("code", flat=True)) if unit else []
    scope = Scope(
        role=user.role,
        user_id=user.pk,
        region_level=region.level if region else None,
        region_code=region.code if region else None,
        area_id=user.area_id,
        member_unit_id=user.member_unit_id,
        member_unit_divisions=tuple(c for c in codes if len(c) == 2),
        member_unit_sections=tuple(c for c in codes if len(c) == 1),
        member_unit_tags=tuple(unit.tags) if unit else (),
    )
    user._liangxin_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User | None) -> ScopedQuerySet:
        q = scope_for(user).q(self.model)
        if q is None:
            return self.all()
        queryset = self.filter(q)
        # A lookup through a to-many relation (e.g. Region.areas) can repeat rows.
        return queryset.distinct() if getattr(self.model, "scope_distinct", False) else queryset


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


class RegionBound(models.Model):
    """A row that belongs to a region, carrying its ancestor codes as indexed columns.

    A rollup is one GROUP BY on a code column; a subtree is one equality on it.
    """

    province_code = models.CharField("省级代码", max_length=12, blank=True, db_index=True)
    city_code = models.CharField("市级代码", max_length=12, blank=True, db_index=True)
    county_code = models.CharField("县级代码", max_length=12, blank=True, db_index=True)
    township_code = models.CharField("乡级代码", max_length=12, blank=True, db_index=True)

    class Meta:
        abstract = True

    def copy_ancestor_codes(self, region) -> None:
        """Set the four code columns from `region` (a Region or None)."""
        for level in LEVELS:
            setattr(self, f"{level}_code", getattr(region, f"{level}_code", "") if region else "")
