"""新就业群体 figures as of a date — the one place the page, the command and the cockpit read.

A station counts on D when it was set up on or before D (or its date is not known) and not
closed by D. ``stations_covered``: stations whose registered organization has a party
organization or an instructor on D, by the coverage engine (`organizations_with_status`:
single, joint or work); a station without a registered organization is not covered.
``organizations``: the distinct platforms/companies. Headcounts are the stations' current values.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum

from liangxin.core.scoping import Scope
from liangxin.coverage import engine
from liangxin.registry.models import Organization
from liangxin.workforce.models import GroupType, Posthouse, Station

FIELDS = ("organizations", "stations", "people", "party_members", "stations_covered", "posthouses")


def _rows(model, user, everything: bool, scope: Scope | None = None):
    """What `user` may see; `everything`: the whole city, for the command line (no user);
    `scope`: what that jurisdiction sees (a member unit's field, for the 年度考核)."""
    if scope is not None:
        q = scope.q(model)
        return model.objects.all() if q is None else model.objects.filter(q)
    return model.objects.all() if everything else model.objects.restrict(user)


def stations_on(user, as_of: datetime.date, *, everything: bool = False, scope: Scope | None = None):
    return (
        _rows(Station, user, everything, scope)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=as_of))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
    )


def posthouses_on(user, as_of: datetime.date, *, everything: bool = False, scope: Scope | None = None):
    return _rows(Posthouse, user, everything, scope).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=as_of)
    )


def covered_organizations(stations, as_of: datetime.date):
    """The stations' organizations with a party organization or an instructor on `as_of`."""
    orgs = Organization.objects.filter(pk__in=stations.values("organization_id"))
    return engine.organizations_with_status(orgs, as_of=as_of).exclude(coverage=engine.NONE).values("pk")


def workforce(user, as_of: datetime.date, *, everything: bool = False, scope: Scope | None = None) -> dict:
    """``{"as_of", "groups": [{"type", "code", …FIELDS}], "total": {…}}`` for what `user` sees
    (or, given `scope`, what that jurisdiction sees)."""
    stations = stations_on(user, as_of, everything=everything, scope=scope)
    all_posthouses = posthouses_on(user, as_of, everything=everything, scope=scope)
    covered = covered_organizations(stations, as_of)
    rows = {
        r["group_type"]: r
        for r in stations.values("group_type")
        .order_by("group_type")
        .annotate(
            stations=Count("pk"),
            organizations=Count("platform", distinct=True),
            people=Sum("headcount"),
            members=Sum("members_full") + Sum("members_probationary"),
            stations_covered=Count("pk", filter=Q(organization_id__in=covered)),
        )
    }
    posthouses = dict(
        all_posthouses.filter(stations__in=stations)
        .values("stations__group_type")
        .order_by("stations__group_type")
        .annotate(n=Count("pk", distinct=True))
        .values_list("stations__group_type", "n")
    )
    groups = []
    for value, label in GroupType.choices:
        r = rows.get(value, {})
        groups.append(
            {
                "type": label,
                "code": value,
                "organizations": r.get("organizations", 0),
                "stations": r.get("stations", 0),
                "people": r.get("people") or 0,
                "party_members": r.get("members") or 0,
                "stations_covered": r.get("stations_covered", 0),
                "posthouses": posthouses.get(value, 0),
            }
        )
    total = {k: sum(g[k] for g in groups) for k in FIELDS}
    total["organizations"] = stations.values("platform").distinct().count()
    total["posthouses"] = all_posthouses.count()  # every 驿站, also one serving no station yet
    return {"as_of": as_of.isoformat(), "groups": groups, "total": {"type": "合计", **total}}


def posthouses_by_township(user, as_of: datetime.date) -> list[dict]:
    counts = defaultdict(lambda: {"warm": 0, "red": 0})
    names = {}
    for code, name, kind, n in (
        posthouses_on(user, as_of)
        .values_list("region__code", "region__name", "kind")
        .order_by("region__code")
        .annotate(n=Count("pk"))
    ):
        counts[code][kind] = n
        names[code] = name
    return [
        {"code": c, "name": names[c], **counts[c], "total": sum(counts[c].values())} for c in sorted(counts)
    ]
