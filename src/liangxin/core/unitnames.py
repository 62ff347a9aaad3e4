"""Member unit names as offices write them (domain.md §8): the one place a written name becomes
a `MemberUnit`, for the task table, the reports, the registry's 主管单位 and a party
organization's 所属成员单位.

A name matches a unit exactly, or through a known way of writing it: the city's name or 市/市委
before it (吉安市民政局, 市民政局, 市委网信办), or an alias (`ALIASES`: 市场监督管理局 → 市场监管局;
more in ``LIANGXIN_UNIT_ALIASES``). Nothing else: a name that is only part of another unit's
name (市委组织部 in 井冈山市委组织部) is not that unit. A name that two units answer to is an error
naming both.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings

from liangxin.core.models import Installation, MemberUnit, MemberUnitKind

SEPARATORS = re.compile(r"[、，,；;／/\s]+")
ALL_DEPARTMENTS = ("各成员单位", "各市直成员单位", "全体成员单位")
ALL_COUNTIES = ("各县（市、区）委组织部", "各县(市、区)委组织部", "各县市区委组织部", "各县（市、区）")
# Written before a unit's own name by a city office (市交通局 → 交通局 → 交通运输局).
PREFIXES = ("市委", "市")
# A way of writing a unit's name → the name of the unit (after the prefixes are taken off).
ALIASES = {
    "交通局": "交通运输局",
    "邮政局": "邮政管理局",
    "市场监督管理局": "市场监管局",
    "工业和信息化局": "工信局",
    "工业和信息化委员会": "工信局",
    "科学技术局": "科技局",
    "网络安全和信息化委员会办公室": "网信办",
    "互联网信息办公室": "网信办",
    "工商业联合会": "工商联",
    "司法行政局": "司法局",
}


def aliases() -> dict[str, str]:
    """The alias table: the defaults and the installation's own (``LIANGXIN_UNIT_ALIASES``)."""
    return {**ALIASES, **settings.LIANGXIN_UNIT_ALIASES}


def _clean(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or "")).strip("。.")


class UnitNames:
    """Resolves names like 市交通局, 吉州区委组织部, 各成员单位 to member units."""

    def __init__(self) -> None:
        self.units = list(MemberUnit.objects.filter(active=True).order_by("sort", "id"))
        self.by_name = {_clean(u.name): u for u in self.units}
        city = Installation.current_city()
        self.city_name = city.name if city else ""
        self.aliases = {_clean(k): _clean(v) for k, v in aliases().items()}

    def variants(self, name: str) -> list[str]:
        """The ways `name` may name a unit: as written, without the city's name or 市/市委
        before it, and each of those through the alias table."""
        out = [name]
        if self.city_name and name.startswith(self.city_name) and len(name) > len(self.city_name) + 1:
            out.append(name[len(self.city_name) :])
        for written in list(out):
            for prefix in PREFIXES:
                if written.startswith(prefix) and len(written) > len(prefix) + 1:
                    out.append(written[len(prefix) :])
        out += [self.aliases[v] for v in out if v in self.aliases]
        return list(dict.fromkeys(out))

    def candidates(self, name: str) -> list[MemberUnit]:
        name = _clean(name)
        if name in self.by_name:  # the exact name wins over any other reading
            return [self.by_name[name]]
        found = [self.by_name[v] for v in self.variants(name) if v in self.by_name]
        return list({u.pk: u for u in found}.values())

    def one(self, name: str) -> MemberUnit:
        """One unit, or ValueError with a Chinese message naming the unknown or ambiguous name."""
        found = self.candidates(name)
        if len(found) == 1:
            return found[0]
        name = _clean(name)
        if found:
            names = "、".join(f"“{u.name}”" for u in found)
            raise ValueError(f"单位“{name}”可能是{names}，请写成员单位的全称")
        raise ValueError(f"未找到成员单位“{name}”，请写成员单位的全称，或先在“成员单位”中添加")

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
