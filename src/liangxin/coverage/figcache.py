"""Computed coverage figures, cached while the data behind them stays the same.

A table over a million organizations takes a second or two; the same table is asked for again
and again (the coverage page and its exports, the cockpit's charts). Keys name what was asked
(the user's scoped queryset, dates, scope, region, filters) and the **data version**, which
changes with every committed change that can move a figure, so a cached table is never stale:
a change simply makes new keys. The cache (settings.CACHES) is shared by the web processes and
the task worker, which computes the office's tables right after each change
(`liangxin.dashboard.warm`). One process computes a given key at a time; the others wait for it.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import Max, Q

from liangxin.core import effects
from liangxin.registry.models import Organization

T = TypeVar("T")
SECONDS = 24 * 3600  # the key names the data version: a change makes a new key, not a stale one
COMPUTE_WAIT_SECONDS = 60  # how long a request waits for another process computing the same key


def data_version() -> tuple:
    """Changes whenever the data behind a coverage figure may have: every service that changes
    it bumps the figures' counter (`core.effects.figures_changed`) in its transaction;
    organizations are also counted by their newest id (rows a loader inserts without a service,
    the demo and the benchmarks). A login or an export changes no figure, so it keeps the
    cached tables."""
    return (effects.figures_version(), Organization.objects.aggregate(m=Max("pk"))["m"])


def _text(part: Any) -> str:
    if not hasattr(part, "query"):
        return str(part)
    try:
        return str(part.query)
    except EmptyResultSet:  # a user whose jurisdiction holds nothing: no SQL to show
        return f"{part.model._meta.label}:none"


def key(prefix: str, *parts: Any) -> str:
    """A cache key for `parts` (querysets by their SQL) at the current data version."""
    raw = "|".join(_text(part) for part in parts)
    return f"{prefix}:" + hashlib.sha256(f"{raw}|{data_version()}".encode()).hexdigest()


_LOCKS = [threading.Lock() for _ in range(16)]


def cached(key: str, compute: Callable[[], T]) -> T:
    """The value under `key`, computed once: requests arriving together (in this process or
    another) wait for the one computation instead of repeating it."""
    value = cache.get(key)
    if value is None:
        with _LOCKS[int(key[-4:], 16) % len(_LOCKS)]:
            value = cache.get(key)
            if value is None:
                value = computed_once(key, compute)
    return value


def computed_once(key: str, compute: Callable[[], T]) -> T:
    """`compute()` stored under `key`, computed by one process at a time: when another process
    (the task worker warming the cockpit, another web process) is computing it, wait for its
    result rather than doing the same work alongside it."""
    busy = f"{key}:busy"
    if not cache.add(busy, os.getpid(), COMPUTE_WAIT_SECONDS):
        deadline = time.monotonic() + COMPUTE_WAIT_SECONDS
        while time.monotonic() < deadline and cache.get(busy) is not None:
            time.sleep(0.05)
            value = cache.get(key)
            if value is not None:
                return value
    try:
        value = compute()
        cache.set(key, value, SECONDS)
    finally:
        cache.delete(busy)
    return value


def page_tables(visible, *, as_of, previous_day, by: str, scope: str, region, filters: Q | None):
    """The coverage page's tables — (table, parks, previous, previous parks); parks only for a
    region drill-down below the city — for `as_of` and the end of the month before (the change
    column), cached. By region and by anything but tag, both days come from one statement."""
    from liangxin.coverage import engine

    def compute():
        kwargs = {"scope": scope, "region": region, "filters": filters}
        if by == "region" and region is not None:
            (table, parks), (previous, previous_parks) = engine.drilldowns(
                visible, dates=[as_of, previous_day], **kwargs
            )
            return table, parks, previous, previous_parks
        if by != "tag":
            table, previous = engine.coverage_tables(visible, dates=[as_of, previous_day], by=by, **kwargs)
        else:  # a tag table's rows overlap: one statement per day
            table = engine.coverage(visible, as_of=as_of, by=by, **kwargs)
            previous = engine.coverage(visible, as_of=previous_day, by=by, **kwargs)
        return table, None, previous, None

    where = region.code if region is not None else ""
    asked = visible.filter(filters) if filters else visible  # the filters by their SQL
    return cached(key("coverage:page", asked, as_of, previous_day, by, scope, where), compute)
