"""Which member unit a user acts for, and matching unit names written in an office's table."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from liangxin.core.models import MemberUnit, MemberUnitKind
from liangxin.core.roles import Role

SEPARATORS = re.compile(r"[、，,；;／/\s]+")
ALL_DEPARTMENTS = ("各成员单位", "各市直成员单位", "全体成员单位")
ALL_COUNTIES = ("各县（市、区）委组织部", "各县(市、区)委组织部", "各县市区委组织部", "各县（市、区）")
# Prefixes and suffixes an office writes around a unit's own name (市交通局 → 交通运输局).
_PREFIXES = ("市委", "市")
_ALIASES = {
    "交通局": "交通运输局",
    "邮政局": "邮政管理局",
    "市场监督管理局": "市场监管局",
    "工业和信息化局": "工信局",
}


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


def acting_unit(user) -> MemberUnit | None:
    """The unit a user reports for (see `acting_unit_query`)."""
    if user is not None and user.is_authenticated and user.role == Role.MEMBER_UNIT:
        return user.member_unit  # usually loaded already
    query = acting_unit_query(user)
    return query.first() if query is not None else None


class UnitNames:
    """Resolves names like 市交通局, 吉州区委组织部, 各成员单位 to member units."""

    def __init__(self) -> None:
        self.units = list(MemberUnit.objects.filter(active=True).order_by("sort", "id"))
        self.by_name = {u.name: u for u in self.units}

    def _variants(self, name: str) -> list[str]:
        out = [name]
        for prefix in _PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix) + 1:
                out.append(name[len(prefix) :])
        return out + [_ALIASES[v] for v in out if v in _ALIASES]

    def one(self, name: str) -> MemberUnit:
        """One unit, or ValueError with a Chinese message naming the unknown or ambiguous name."""
        name = name.strip()
        for variant in self._variants(name):
            if variant in self.by_name:
                return self.by_name[variant]
        candidates: list[MemberUnit] = []
        for variant in self._variants(name):
            stem = variant.removesuffix("局").removesuffix("办")
            if len(stem) < 2:
                continue
            candidates = [u for u in self.units if u.name.startswith(stem) or stem in u.name]
            if candidates:
                break
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            names = "、".join(u.name for u in candidates[:5])
            raise ValueError(f"单位“{name}”不明确，可能是：{names}，请写全称")
        raise ValueError(f"未找到成员单位“{name}”，请核对名称或先在“成员单位”中添加")

    def many(self, text: str) -> list[MemberUnit]:
        """Units from text like 市交通局、邮政管理局；各县（市、区）委组织部 (order kept, no repeats)."""
        found: list[MemberUnit] = []
        rest = text.strip()
        for phrase in ALL_COUNTIES:
            if phrase in rest:
                found += [u for u in self.units if u.kind == MemberUnitKind.COUNTY_ORG]
                rest = rest.replace(phrase, "、")
        for phrase in ALL_DEPARTMENTS:
            if phrase in rest:
                found += [u for u in self.units if u.kind == MemberUnitKind.DEPARTMENT]
                rest = rest.replace(phrase, "、")
        problems = []
        for part in SEPARATORS.split(rest):
            part = part.strip("。.")
            if not part:
                continue
            try:
                found.append(self.one(part))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("；".join(problems))
        unique: dict[int, MemberUnit] = {}
        for unit in found:
            unique.setdefault(unit.pk, unit)
        return list(unique.values())
