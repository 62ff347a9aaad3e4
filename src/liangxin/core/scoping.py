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

`Scope.q(model, action)` turns that into one ``Q``. The default managers expose it as
``Model.objects.restrict(user, action)`` (NetBox's ``RestrictedQuerySet``), and views, services,
exports and figures get their rows only that way. The actions:

* ``view``: everything above — a member unit sees its sector (industries and key-group tags)
  besides what it supervises;
* ``change`` / ``delete``: only what the user keeps — rows in its region subtree or functional
  area, rows whose supervising/owning unit is its member unit. The sector grants reading only
  (民政局 sees the social organizations of every county; it changes only those it supervises).
  ``scope_change_all_roles`` (default: the office) change every row.

Writes re-check through ``restrict(user, "change")`` inside their transaction, and a row a
write would produce must still be the user's to change (`Scope.admits`).

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

VIEW, CHANGE, DELETE = "view", "change", "delete"
ACTIONS = (VIEW, CHANGE, DELETE)

# Roles whose jurisdiction is the records naming the user, given per model by registered rules.
USER_RULE_ROLES = frozenset({Role.INSTRUCTOR})

UserRule = Callable[["Scope"], Q]
_user_rules: dict[tuple[str, str, str], UserRule] = {}


def register_user_rule(
    role: str, model: type[models.Model], rule: UserRule, actions: tuple[str, ...] = (VIEW,)
) -> None:
    """`rule(scope)` gives the rows of `model` a user of `role` may `actions` (``scope.user_id``)."""
    if role not in USER_RULE_ROLES:
        raise ValueError(f"{role!r} is not a role whose jurisdiction is given by user rules")
    for action in actions:
        _check_action(action)
        _user_rules[(role, model._meta.concrete_model._meta.label_lower, action)] = rule


def user_rule(role: str, model: type[models.Model], action: str = VIEW) -> UserRule | None:
    return _user_rules.get((role, model._meta.concrete_model._meta.label_lower, action))


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown scope action {action!r}; one of {ACTIONS}")


def change_all_roles(model: type[models.Model]) -> tuple[str, ...]:
    """Roles that change (and delete) every row of `model`: the office by default."""
    return tuple(getattr(model, "scope_change_all_roles", (Role.OFFICE,)))


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

    def q(self, model: type[models.Model], action: str = VIEW) -> Q | None:
        """The rows of `model` the user may `action`, or None when that is all of them."""
        _check_action(action)
        if action != VIEW:
            if self.role in change_all_roles(model):
                return None
        elif self.role in getattr(model, "scope_all_roles", ()):
            return None
        if self.role in USER_RULE_ROLES:
            rule = user_rule(self.role, model, action)
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
        if action != VIEW:  # the sector is read, not kept
            return q
        industry_lookup = getattr(model, "scope_industry", None)
        if self.member_unit_divisions and industry_lookup:
            q |= Q(**{f"{industry_lookup}__in": self.member_unit_divisions})
        section_lookup = getattr(model, "scope_industry_section", None)
        if self.member_unit_sections and section_lookup:
            q |= Q(**{f"{section_lookup}__in": self.member_unit_sections})
        if self.member_unit_tags and hasattr(model, "scope_tags_q"):
            q |= model.scope_tags_q(self.member_unit_tags)
        return q

    def admits(self, model: type[models.Model], values: dict) -> bool:
        """Whether a row of `model` with these attribute values (after a write) would be the
        user's to change: the `change` rule of `q`, evaluated on values instead of rows. Only
        the model's own columns are read (``scope_region = ""`` and direct ``*_id`` lookups)."""
        if self.role in change_all_roles(model):
            return True
        if self.role in USER_RULE_ROLES or not self.role:
            return False
        if self.region_code and getattr(model, "scope_region", None) == "":
            if values.get(f"{self.region_level}_code") == self.region_code:
                return True
        area_lookup = getattr(model, "scope_area", None)
        if self.area_id and area_lookup and values.get(area_lookup) == self.area_id:
            return True
        unit_lookup = getattr(model, "scope_member_unit", None)
        return bool(self.member_unit_id and unit_lookup and values.get(unit_lookup) == self.member_unit_id)


NO_SCOPE = Scope(role="")


def scope_of_unit(unit) -> Scope:
    """The jurisdiction a member unit's own staff have: a department's supervised organizations,
    industries and key groups; a county 组织部's county. A unit's "field" (its assessment's
    coverage gain, its committees' coverage) is what this scope sees."""
    if unit.kind == "county_org" and unit.region_id:
        return Scope(role=Role.COUNTY, region_level=unit.region.level, region_code=unit.region.code)
    return Scope(role=Role.MEMBER_UNIT, member_unit_id=unit.pk, **_unit_field(unit))


def _unit_field(unit) -> dict[str, tuple[str, ...]]:
    """The industries (sections, divisions) and key groups a member unit supervises."""
    if unit is None:
        return {}
    codes = list(unit.industries.values_list("code", flat=True))
    return {
        "member_unit_divisions": tuple(c for c in codes if len(c) == 2),
        "member_unit_sections": tuple(c for c in codes if len(c) == 1),
        "member_unit_tags": tuple(unit.tags),
    }


def scope_for(user: User | None) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_liangxin_scope", None)
    if cached is not None:
        return cached
    region = user.region
    scope = Scope(
        role=user.role,
        user_id=user.pk,
        region_level=region.level if region else None,
        region_code=region.code if region else None,
        area_id=user.area_id,
        member_unit_id=user.member_unit_id,
        **_unit_field(user.member_unit),
    )
    user._liangxin_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: User | None, action: str = VIEW) -> ScopedQuerySet:
        """The rows `user` may `action` ("view", "change" or "delete"); nothing without a user."""
        q = scope_for(user).q(self.model, action)
        if q is None:
            return self.all()
        if not getattr(self.model, "scope_distinct", False):
            return self.filter(q)
        # A lookup through a to-many relation (e.g. Region.areas) would repeat rows. For a
        # write, a subquery keeps the rows lockable (no SELECT DISTINCT … FOR UPDATE).
        if action == VIEW:
            return self.filter(q).distinct()
        return self.filter(pk__in=self.model._default_manager.filter(q).values("pk"))

    def visible_to(self, user: User | None) -> ScopedQuerySet:
        """``restrict(user, "view")``, under its former name."""
        return self.restrict(user, VIEW)


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
