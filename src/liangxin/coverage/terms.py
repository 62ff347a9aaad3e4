"""换届 for every party organization (not only joint branches): the term ends on
`PartyOrganization.term_ends_on`; `dispatch_tick` reminds the unit answering for it 3 months and
1 month before (one notice each, through the dispatch's tick hook); once the day has passed with
no new term recorded it is 超期未换届 and listed (党组织 › 换届: 即将届满 / 超期未换届)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from liangxin.core import audit
from liangxin.coverage import engine
from liangxin.coverage.blindspots import months_before
from liangxin.coverage.models import PartyOrganization

REMINDERS = ((3, "term_3m", "3个月"), (1, "term_1m", "1个月"))
STATES = {"due": "3个月内届满", "overdue": "超期未换届"}


def months_after(day: datetime.date, months: int) -> datetime.date:
    return months_before(day, -months)


def overdue(party_orgs: QuerySet, as_of: datetime.date) -> QuerySet:
    """Existing on `as_of` with the term ended before it (换届 not recorded)."""
    return party_orgs.filter(engine.party_org_active_q(as_of), term_ends_on__lt=as_of)


def due_soon(party_orgs: QuerySet, as_of: datetime.date, months: int = 3) -> QuerySet:
    """Existing on `as_of` with the term ending within `months` months (from `as_of` on)."""
    return party_orgs.filter(
        engine.party_org_active_q(as_of),
        term_ends_on__gte=as_of,
        term_ends_on__lte=months_after(as_of, months),
    )


def state_q(state: str, as_of: datetime.date) -> Q:
    if state == "overdue":
        return Q(term_ends_on__lt=as_of)
    if state == "due":
        return Q(term_ends_on__gte=as_of, term_ends_on__lte=months_after(as_of, 3))
    return Q()


def remind_terms(today: datetime.date, *, actor=None, now=None) -> int:
    """`dispatch_tick`'s hook: one notice 3 months and one 1 month before a term ends (each once,
    by its key, also when the tick first runs later inside the window). How many were new."""
    from liangxin.coverage.rectification import responsible_unit_ids
    from liangxin.dispatch.models import Notice
    from liangxin.dispatch.reminders import queue_notices

    rows = []
    for months, kind, label in REMINDERS:
        # The window of this reminder: from `months` before the end, until the next (closer) one.
        party_orgs = list(
            due_soon(PartyOrganization.objects.all(), today, months)
            .select_related(None)
            .only("pk", "name", "term_ends_on", "owner_unit_id", "county_code")
        )
        if months == 3:
            party_orgs = [p for p in party_orgs if p.term_ends_on > months_after(today, 1)]
        units = responsible_unit_ids(PartyOrganization.objects.filter(pk__in=[p.pk for p in party_orgs]))
        rows += [
            Notice(
                unit_id=units[p.pk],
                kind=kind,
                key=f"{kind}:{p.pk}:{p.term_ends_on:%Y%m%d}",
                message=f"换届提醒：{p.name}任期将于{p.term_ends_on:%Y年%m月%d日}届满（还有不到{label}），请及早做好换届准备",
            )
            for p in party_orgs
            if p.pk in units
        ]
    if not rows:
        return 0
    with transaction.atomic():
        queued = queue_notices(rows)
        if queued:
            audit.record(
                "coverage.term.reminded", actor=actor, object_type="coverage.partyorganization",
                object_repr=f"换届提醒 {queued} 条", after={"count": queued}, source="command",
            )  # fmt: skip
    return queued
