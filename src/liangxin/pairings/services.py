"""Every change to the pairings ledger and to the 重点帮扶村 flag: atomic, an explicit actor, an
audit record in the same transaction; writes re-checked through ``restrict(actor, "change")``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from liangxin.core import audit
from liangxin.core.models import Region, RegionLevel
from liangxin.core.scoping import CHANGE
from liangxin.pairings.models import Pairing, PairingProject, ProjectKind, ProjectStatus
from liangxin.registry.models import Organization


class PairingError(ValueError):
    """A refused change; the message is Chinese and says what and why."""


def _is_user(actor) -> bool:
    return getattr(actor, "is_authenticated", False)


def _check_organization(organization: Organization, actor) -> None:
    if (
        _is_user(actor)
        and not Organization.objects.restrict(actor, CHANGE).filter(pk=organization.pk).exists()
    ):
        raise PermissionDenied(f"“{organization.name}”不在您的管辖范围内，不能为它登记结对")


def _check_village(village: Region) -> None:
    if village.level != RegionLevel.VILLAGE:
        raise PairingError(f"“{village.name}”不是村（社区），结对对象应为村（社区）")


@transaction.atomic
def set_key_village(village: Region, flag: bool, *, actor, source: str | None = None) -> bool:
    """Mark or unmark a village as 乡村振兴重点帮扶村 (the office). Returns whether it changed."""
    _check_village(village)
    if _is_user(actor) and not Region.objects.restrict(actor, CHANGE).filter(pk=village.pk).exists():
        raise PermissionDenied("只有工委办公室可以标记重点帮扶村")
    changed = Region.objects.filter(pk=village.pk).exclude(key_village=flag).update(key_village=flag)
    village.key_village = flag
    if changed:
        audit.record(
            "pairings.key_village.set",
            actor=actor,
            obj=village,
            before={"key_village": not flag},
            after={"key_village": flag},
            source=source,
        )
    return bool(changed)


@transaction.atomic
def save_pairing(
    pairing: Pairing | None,
    *,
    actor,
    organization: Organization,
    village: Region,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
    source: str | None = None,
) -> tuple[Pairing, str]:
    """Create or update a pairing. Returns (pairing, "created" | "updated" | "unchanged")."""
    _check_village(village)
    _check_organization(organization, actor)
    if ends_on is not None and ends_on < starts_on:
        raise PairingError(f"结束日期 {ends_on:%Y-%m-%d} 早于开始日期 {starts_on:%Y-%m-%d}")
    if pairing is not None and pairing.pk:
        if _is_user(actor) and not Pairing.objects.restrict(actor, CHANGE).filter(pk=pairing.pk).exists():
            raise PermissionDenied("该结对不在您的管辖范围内")
        pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
        before = audit.snapshot(pairing)
    else:
        pairing, before = Pairing(created_by=actor if _is_user(actor) else None), None
    pairing.organization, pairing.village = organization, village
    pairing.starts_on, pairing.ends_on, pairing.note = starts_on, ends_on, note or ""
    after = audit.snapshot(pairing)
    if before is not None:
        b, a = audit.changed(before, after)
        if not a:
            return pairing, "unchanged"
    pairing.save()
    if before is None:
        audit.record("pairings.pairing.created", actor=actor, obj=pairing, after=after, source=source)
        return pairing, "created"
    audit.record("pairings.pairing.updated", actor=actor, obj=pairing, before=b, after=a, source=source)
    return pairing, "updated"


@transaction.atomic
def delete_pairing(pairing: Pairing, *, actor) -> None:
    if _is_user(actor) and not Pairing.objects.restrict(actor, CHANGE).filter(pk=pairing.pk).exists():
        raise PermissionDenied("该结对不在您的管辖范围内")
    audit.record("pairings.pairing.deleted", actor=actor, obj=pairing, before=audit.snapshot(pairing))
    pairing.delete()


@transaction.atomic
def save_project(
    pairing: Pairing,
    *,
    actor,
    year: int,
    title: str,
    kind: str = ProjectKind.OTHER,
    funds: Decimal | int = 0,
    people_helped: int = 0,
    status: str = ProjectStatus.PLANNED,
    result: str = "",
    source: str | None = None,
) -> tuple[PairingProject, str]:
    """Create or update the project `title` of a pairing in `year` (its natural key)."""
    if _is_user(actor) and not Pairing.objects.restrict(actor, CHANGE).filter(pk=pairing.pk).exists():
        raise PermissionDenied("该结对不在您的管辖范围内")
    if not pairing.active_in(year):
        raise PairingError(f"结对在 {year} 年不在有效期内（{pairing.starts_on:%Y-%m-%d} 起），请核对项目年度")
    if Decimal(funds) < 0:
        raise PairingError("投入资金不能为负数")
    project = PairingProject.objects.filter(pairing=pairing, year=year, title=title).first()
    before = audit.snapshot(project) if project else None
    project = project or PairingProject(pairing=pairing, year=year, title=title)
    project.kind, project.funds, project.people_helped = kind, Decimal(funds), people_helped
    project.status, project.result = status, result or ""
    after = audit.snapshot(project)
    if before is not None:
        b, a = audit.changed(before, after)
        if not a:
            return project, "unchanged"
    project.save()
    if before is None:
        audit.record("pairings.project.created", actor=actor, obj=project, after=after, source=source)
        return project, "created"
    audit.record("pairings.project.updated", actor=actor, obj=project, before=b, after=a, source=source)
    return project, "updated"
