"""Finding a place of the installed city by what a person writes: a code (6, 9 or 12 digits) or a
name — a county, a township, or a village/community, alone or under its township (and county).

The one lookup every ledger uses for a place (pairings, the 重点帮扶村 sheet, the registry's
region column when a village is written). Village names repeat across a city (265 names twice
or more in 吉安市), so a name that several villages answer to asks for its township.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from liangxin.core.models import Installation, Region, RegionLevel

# Suffixes offices drop or vary: 横塘村委会 = 横塘村 = 横塘村民委员会; 桃树下居委会 = 桃树下社区.
_SUFFIXES = ("村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "委员会", "社区", "村")
_SEPARATORS = re.compile(r"[\s/／\\·・\-－—,，、>＞]+")


class PlaceError(ValueError):
    """A place that cannot be found, or is ambiguous; the message is Chinese and says what to write."""


def place_key(name: str) -> str:
    """A village or community name without its 村委会/居委会/社区 suffix, for matching."""
    text = re.sub(r"\s+", "", name or "")
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def _region_levels(levels: Iterable[str] | None) -> list[str]:
    return list(levels) if levels else [RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]


def _by_code(text: str, city: Region, levels: list[str]) -> Region:
    code = text[:9] if len(text) == 12 and text.endswith("000") else text
    region = Region.objects.filter(code=code, city_code=city.code).select_related("parent").first()
    if region is None or region.level not in levels:
        labels = "、".join(RegionLevel(lv).label for lv in levels)
        raise PlaceError(f"区划代码“{text}”不是{city.name}的{labels}代码")
    return region


def _villages_named(name: str, townships: list[Region] | None, city: Region) -> list[Region]:
    key = place_key(name)
    if not key:
        return []
    rows = Region.objects.filter(city_code=city.code, level=RegionLevel.VILLAGE, name__startswith=key)
    if townships is not None:
        rows = rows.filter(parent__in=townships)
    found = [r for r in rows.select_related("parent") if place_key(r.name) == key]
    exact = [r for r in found if r.name == name]
    return exact or found


def _named(name: str, city: Region, level: str, parents: list[Region] | None = None) -> list[Region]:
    rows = Region.objects.filter(city_code=city.code, level=level, name=name)
    if parents is not None:
        rows = rows.filter(parent__in=parents)
    return list(rows.select_related("parent"))


def find_place(
    value, *, levels: Iterable[str] | None = None, within: Region | None = None, city: Region | None = None
) -> Region:
    """The region `value` names in the installed city. `levels` limits what may be named;
    `within` (a county or township) limits where. Raises `PlaceError` with a Chinese message."""
    city = city or Installation.current_city()
    if city is None:
        raise PlaceError("系统尚未初始化城市，请先运行 liangxin setup --city 城市代码")
    wanted = _region_levels(levels)
    text = re.sub(r"\s+", " ", str(value or "")).strip()
    if not text:
        raise PlaceError("未填写地点")
    compact = text.replace(" ", "")
    if compact.isdigit():
        region = _by_code(compact, city, wanted)
        candidates = [region]
    else:
        candidates = _by_name(text, city, wanted, within)
    if within is not None:
        candidates = [r for r in candidates if within.code in (r.code, *r.ancestor_codes())]
    if not candidates:
        where = f"{within.name}下" if within is not None else city.name
        raise PlaceError(f"在{where}找不到“{text}”，请填写区划代码，或写成“乡镇（街道）名称 村（社区）名称”")
    if len(candidates) > 1:
        names = "、".join(f"{r.parent.name if r.parent else ''}{r.name}（{r.code}）" for r in candidates[:5])
        raise PlaceError(f"“{text}”在本市有多个：{names}，请填写区划代码，或在前面写上所属乡镇（街道）")
    return candidates[0]


def _by_name(text: str, city: Region, levels: list[str], within: Region | None) -> list[Region]:
    parts = [p for p in _SEPARATORS.split(text) if p]
    compact = "".join(parts)
    compact = compact.removeprefix(city.name) or compact
    found: list[Region] = []
    for level in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        if level in levels:
            found += _named(compact, city, level)
    if RegionLevel.VILLAGE in levels:
        scope = None
        if within is not None and within.level == RegionLevel.TOWNSHIP:
            scope = [within]
        found += _villages_named(compact, scope, city)
        if not found:
            found += _village_under_township(parts, compact, city)
    return found


def _village_under_township(parts: list[str], compact: str, city: Region) -> list[Region]:
    """“古南街道 桃树下居委会”, “吉州区古南街道桃树下社区”: the longest township name that starts
    the text (after an optional county name), then the village under it."""
    if len(parts) >= 2:
        townships = _named(parts[-2], city, RegionLevel.TOWNSHIP)
        if len(parts) >= 3:
            townships = [t for t in townships if t.parent and t.parent.name == parts[-3]] or townships
        if townships:
            return _villages_named(parts[-1], townships, city)
    text = compact
    for county in Region.objects.filter(city_code=city.code, level=RegionLevel.COUNTY).only("name"):
        if text.startswith(county.name) and len(text) > len(county.name):
            text = text[len(county.name) :]
            break
    townships = Region.objects.filter(city_code=city.code, level=RegionLevel.TOWNSHIP)
    prefixes = sorted((t for t in townships if text.startswith(t.name)), key=lambda t: -len(t.name))
    for township in prefixes:
        rest = text[len(township.name) :]
        found = _villages_named(rest, [township], city)
        if found:
            return found
    return []
