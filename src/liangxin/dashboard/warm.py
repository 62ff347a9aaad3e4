"""The cockpit's tables, computed by the task worker right after the data changes.

With a million organizations the coverage tables behind the cockpit take seconds; a leader who
opens the cockpit after an import should not wait for them. Every service that changes what a
figure reads calls `core.effects.figures_changed()`; after its transaction commits a
`warm_cockpit_job` is queued (at most one waiting at a time) and the worker computes the
office's cockpit and coverage page for today into the shared cache (settings.CACHES: files under
var/cache, shared by the web processes and the worker). The first load then reads the cache; one
arriving while the worker is still computing waits for it (see `coverage.figcache`) rather than
computing the same tables a second time. Both pages open on today's date, so each run also leaves
one warm-up waiting for just after midnight.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from liangxin.core import effects, queue
from liangxin.core.roles import Role
from liangxin.coverage import engine, figcache
from liangxin.coverage.filters import default_region
from liangxin.dashboard import queries
from liangxin.dashboard.moment import resolve


@task()
def warm_cockpit_job(as_of: str | None = None) -> dict:
    """Compute the office's coverage charts for today (or `as_of`, YYYY-MM-DD), as the cockpit
    opens, into the cache. Returns what it did, for the task's result."""
    from liangxin.accounts.models import User
    from liangxin.registry.models import Organization

    office = User.objects.filter(role=Role.OFFICE, is_active=True).order_by("pk").first()
    if office is None:
        return {"warmed": False, "reason": "no office user"}
    today = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
    # The cockpit opens on the latest period's own date (today while that period runs).
    opens_on = datetime.date.fromisoformat(as_of) if as_of else resolve("", "")[0].as_of
    orgs = Organization.objects.visible_to(office)
    region = default_region(SimpleNamespace(user=office))  # what the cockpit opens with
    if as_of is None and _uses_worker():
        schedule_next_day()
    queries.month_figures(orgs, as_of=opens_on, scope="all", region=region, published=True, fresh=True)
    figcache.page_tables(  # and the coverage page as it opens
        orgs,
        as_of=today,
        previous_day=engine.end_of_previous_month(today),
        by="region",
        scope="all",
        region=region,
        filters=Q(),
    )
    return {"warmed": True, "as_of": today.isoformat(), "cockpit_as_of": opens_on.isoformat()}


def _uses_worker() -> bool:
    return queue.keeps_jobs(warm_cockpit_job)


def waiting_jobs():
    return queue.waiting(warm_cockpit_job)


def request_warm() -> None:
    """Queue a warm-up unless one is already waiting to run now (a burst of changes gives one)."""
    if not waiting_jobs().filter(queue.due()).exists():
        warm_cockpit_job.enqueue()


def schedule_next_day() -> None:
    """The cockpit opens on today's date, so a new day needs new tables: one warm-up waits for
    just after midnight (at most one)."""
    if waiting_jobs().exclude(queue.due()).exists():
        return
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    midnight = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time(0, 1)))
    warm_cockpit_job.using(run_after=midnight).enqueue()


def _after_figures_change() -> None:
    """After a committed change to what the figures read (requested by the service that made
    it, `core.effects.figures_changed`): queue a warm-up. Only with a worker: without one (the
    immediate backend) the warm-up would run inside the request that made the change."""
    if _uses_worker():
        request_warm()


def connect() -> None:
    effects.when_figures_change(_after_figures_change)
