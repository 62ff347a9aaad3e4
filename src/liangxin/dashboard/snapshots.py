"""Stored coverage tables of past days, so the cockpit's first load computes the running month only.

The cockpit shows, besides the day it is opened on, the 12-month line's month-ends and the same
day a month earlier (the tiles' 较上月). At a city's size computing those days takes seconds, and
the file cache (`coverage.figcache`) forgets them at every change. A past day's table is
therefore stored in the database (`StoredTable`: per day, viewer, scope and region), computed by
the one coverage engine and marked with the data version it was computed at
(`core.effects.figures_changed` bumps it in every changing transaction).

* A stored table at the current version is the engine's answer: it is shown as it is.
* After a change, a stored table is behind. With the task worker (production, `make run`) it
  is still shown, marked “更新中”, while the worker recomputes it — the warm-up queued after every
  change recomputes the office's (`dashboard.warm`), and a `refresh_tables_job` is queued for any
  other viewer's — so a first load after a change computes the running month only, never the
  past. Without a worker (`LIANGXIN_TASKS=immediate`, or a refresh left waiting for over five
  minutes: the worker is not running) it is recomputed in the request.
* A past day never computed for the viewer (an installation's first load, a scope or a viewer
  new to the cockpit) is computed in the request only when the page cannot do without it (the
  day shown: `needed`); with a worker the line's month-ends and the tiles' day a month earlier
  are left to it (`pending`, the line and the tiles say so), so no first load counts 13 days.
* Days from today on are never stored: they are computed (cached per data version).
* `dispatch_tick` stores the office's month-ends each day (`store_for_office`), so the month
  just closed is stored before anyone asks, and drops tables left behind the data for 30 days.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from liangxin.core import queue
from liangxin.core.models import Region
from liangxin.coverage import engine, figcache
from liangxin.dashboard.models import StoredTable

log = logging.getLogger(__name__)
COUNTS = ("total", "single", "joint", "work", "none", "should_build")
WORKER_GRACE = datetime.timedelta(minutes=5)  # a refresh waiting longer: no worker is running
UNUSED = datetime.timedelta(days=30)  # a table behind the data for longer is dropped by the tick


@dataclass
class Tables:
    """The coverage tables of the days asked for; `behind`: days shown from a stored table
    computed before the latest change (the worker is recomputing them); `pending`: past days
    with no table yet, left to the worker (they have no entry in `tables`)."""

    tables: dict[datetime.date, engine.CoverageTable]
    behind: set[datetime.date] = field(default_factory=set)
    pending: set[datetime.date] = field(default_factory=set)  # never computed: the worker computes them


def viewer_key(orgs: QuerySet) -> str:
    """The viewer's organizations by their SQL (two users with one jurisdiction share tables)."""
    return hashlib.sha256(figcache._text(orgs).encode()).hexdigest()


def current_version() -> str:
    return ":".join(str(part) for part in figcache.data_version())


def _dump(table: engine.CoverageTable) -> dict:
    def row(f: engine.Figures) -> list:
        return [f.code, f.name, *(getattr(f, key) for key in COUNTS)]

    return {
        "by": table.by,
        "scope": table.scope,
        "rows": [row(r) for r in table.rows],
        "total": row(table.total),
    }


def _load(data: dict, day: datetime.date, region: Region | None) -> engine.CoverageTable:
    def figures(row: list) -> engine.Figures:
        return engine.Figures(row[0], row[1], *row[2:])

    table = engine.CoverageTable(as_of=day, scope=data["scope"], by=data["by"], region=region)
    table.rows = [figures(r) for r in data["rows"]]
    table.total = figures(data["total"])
    return table


def _compute(orgs, days, scope, region) -> dict[datetime.date, engine.CoverageTable]:
    days = sorted(days)
    if len(days) == 1:
        return {days[0]: engine.coverage(orgs, as_of=days[0], scope=scope, region=region)}
    return dict(zip(days, engine.coverage_tables(orgs, dates=days, scope=scope, region=region), strict=True))


def _store(viewer: str, scope: str, where: str, version: str, tables: dict) -> None:
    """Keep the tables (one row per viewer, scope, region and day). A busy database (an import
    holding SQLite's write lock) only means they are computed again next time."""
    now = timezone.now()
    rows = [
        StoredTable(
            day=day,
            scope=scope,
            region=where,
            viewer=viewer,
            version=version,
            table=_dump(t),
            computed_at=now,
        )
        for day, t in tables.items()
    ]
    try:
        with transaction.atomic():
            StoredTable.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["viewer", "scope", "region", "day"],
                update_fields=["version", "table", "computed_at"],
            )
    except DatabaseError:
        log.warning("cockpit tables not stored (database busy)", exc_info=True)


def worker_recomputes() -> bool:
    """Whether a task worker will recompute a table that is behind: the database backend, and
    no refresh left waiting for longer than `WORKER_GRACE` (a worker that is not running would
    leave a table behind for good: the page then recomputes it itself)."""
    if not queue.keeps_jobs(refresh_tables_job):
        return False
    late = timezone.now() - WORKER_GRACE
    return not queue.waiting(refresh_tables_job).filter(queue.due(), enqueued_at__lt=late).exists()


def tables(
    orgs: QuerySet,
    days: list[datetime.date],
    *,
    scope: str,
    region: Region | None,
    user=None,
    fresh: bool = False,
    needed: set[datetime.date] | None = None,
) -> Tables:
    """The coverage tables of `orgs` (the viewer's organizations; `user` the viewer) on `days`.
    `fresh`: never show a table that is behind (the worker's own computations). `needed`: the
    days the page cannot show without; another past day with no table at all is left to the
    worker when one runs (`pending`). None: every day is needed."""
    scope = engine.parse_scope(scope)
    today, version, viewer = timezone.localdate(), current_version(), viewer_key(orgs)
    where = region.code if region is not None else ""
    past = [day for day in days if day < today]
    stored = {
        row.day: row
        for row in StoredTable.objects.filter(viewer=viewer, scope=scope, region=where, day__in=past)
    }
    behind = [day for day, row in stored.items() if row.version != version]
    absent = [day for day in past if day not in stored and needed is not None and day not in needed]
    worker = bool(behind or absent) and not fresh and user is not None and worker_recomputes()
    result = Tables({})
    live, missing = [day for day in days if day >= today], []
    for day in past:
        row = stored.get(day)
        if row is not None and (row.version == version or worker):
            result.tables[day] = _load(row.table, day, region)
            if row.version != version:
                result.behind.add(day)
        elif row is None and worker and day in absent:
            result.pending.add(day)
        else:
            missing.append(day)
    live_key = figcache.key("cockpit:tables", orgs, live, scope, where) if live else ""
    if missing:  # one statement for every day to compute; the running month's part cached alone too
        key = figcache.key("cockpit:tables", orgs, sorted(missing + live), scope, where)
        computed = figcache.cached(key, lambda: _compute(orgs, missing + live, scope, region))
        _store(viewer, scope, where, version, {day: computed[day] for day in missing})
        if live:
            cache.set(live_key, {day: computed[day] for day in live}, figcache.SECONDS)
        result.tables.update(computed)
    elif live:
        result.tables.update(figcache.cached(live_key, lambda: _compute(orgs, live, scope, region)))
    if result.behind or result.pending:
        request_refresh(user, sorted(result.behind | result.pending), scope=scope, region=where)
    return result


def request_refresh(user, days: list[datetime.date], *, scope: str, region: str) -> None:
    """Queue one recomputation of a viewer's tables that are behind (none when one is waiting)."""
    kwargs = {"user_id": user.pk, "days": [d.isoformat() for d in days], "scope": scope, "region": region}
    for waiting in queue.waiting(refresh_tables_job).filter(queue.due()):
        if (waiting.args_kwargs or {}).get("kwargs") == kwargs:
            return
    refresh_tables_job.enqueue(**kwargs)


@task()
def refresh_tables_job(user_id: int, days: list[str], scope: str, region: str) -> dict:
    """Recompute a viewer's stored tables that are behind the data (queued by the page that
    showed them), for the organizations the user sees now (a jurisdiction that moved meanwhile
    stores under its own key). Nothing when the account is gone or disabled."""
    from liangxin.accounts.models import User
    from liangxin.registry.models import Organization

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return {"refreshed": 0}
    orgs = Organization.objects.restrict(user)
    place = Region.objects.filter(code=region).first() if region else None
    dates = [datetime.date.fromisoformat(d) for d in days]
    found = tables(orgs, dates, scope=scope, region=place, fresh=True)
    return {"refreshed": len(found.tables)}


def forget_unused(now: datetime.datetime) -> int:
    """Drop tables behind the data that nobody has asked for in `UNUSED` (a page that shows one
    has it recomputed within minutes): what the viewers of another jurisdiction or a former
    scope left behind does not pile up. Returns how many."""
    old = StoredTable.objects.exclude(version=current_version()).filter(computed_at__lt=now - UNUSED)
    return old.delete()[0]


def store_for_office(today: datetime.date, *, actor=None, now=None) -> int:
    """`dispatch_tick`'s hook: the office's month-ends of the cockpit's line are stored (a month
    just closed is computed once, before anyone opens the cockpit). Queues no notice: returns 0."""
    from types import SimpleNamespace

    from liangxin.accounts.models import User
    from liangxin.core.roles import Role
    from liangxin.coverage.filters import default_region
    from liangxin.dashboard.queries import month_ends
    from liangxin.registry.models import Organization

    forget_unused(now or timezone.now())
    office = User.objects.filter(role=Role.OFFICE, is_active=True).order_by("pk").first()
    if office is None:
        return 0
    orgs = Organization.objects.restrict(office)
    region = default_region(SimpleNamespace(user=office))
    try:
        tables(orgs, month_ends(engine.end_of_previous_month(today)), scope="all", region=region, fresh=True)
    except Exception:  # the tick's reminders matter more than a warm cockpit
        log.exception("dispatch_tick could not store the cockpit's month-ends")
    return 0
