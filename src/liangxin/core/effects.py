"""Side effects of a change, requested by the service that makes it (never inferred from signals
on the audit log: a change whose audit rows go in with one bulk insert sends no `post_save`).

A service that changes data a coverage figure reads (organizations, party organizations,
instructors and their links, inspections, areas, imports, the installation) calls
`figures_changed()` inside its transaction. That bumps the "figures" data version in the same
transaction — cached figures are keyed by it (`coverage.figcache`), so a rolled-back change
leaves them valid and a committed one makes new keys — and, once per transaction, asks with
`transaction.on_commit` for what should follow a committed change. What follows is registered by
the apps that need it at start-up (`when_figures_change`: the dashboard's cockpit warm-up), so
no domain imports the dashboard.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F

from liangxin.core.models import DataVersion

FIGURES = "figures"
_after_figures_change: list[Callable[[], None]] = []
log = logging.getLogger(__name__)


def when_figures_change(callback: Callable[[], None]) -> None:
    """Run ``callback`` after every committed transaction that changed figures (once each)."""
    if callback not in _after_figures_change:
        _after_figures_change.append(callback)


def _after_commit() -> None:
    for callback in list(_after_figures_change):
        try:
            callback()
        except Exception:  # a warm-up that cannot be queued must not fail a change already committed
            log.exception("side effect %s failed after a committed change", callback)


def _requested() -> bool:
    connection = transaction.get_connection()
    return any(entry[1] is _after_commit for entry in connection.run_on_commit)


def figures_changed() -> None:
    """Inside the changing transaction: bump the figures' data version (once per transaction)
    and ask for the side effects after commit."""
    if _requested():
        return  # bumped already in this transaction, and the side effects are asked for
    with transaction.atomic():
        if not DataVersion.objects.filter(name=FIGURES).update(value=F("value") + 1):
            DataVersion.objects.get_or_create(name=FIGURES, defaults={"value": 1})
    transaction.on_commit(_after_commit)


def figures_version() -> int:
    return DataVersion.objects.filter(name=FIGURES).values_list("value", flat=True).first() or 0


def figures_version_after_restore(before: int) -> None:
    """After a restore the stored version is the backup's, which may equal a version the
    replaced data already had — and figures cached under it. Move it past both (and run the
    side effects), so that nothing cached before the restore is read as current."""
    with transaction.atomic():
        value = max(before, figures_version()) + 1
        DataVersion.objects.update_or_create(name=FIGURES, defaults={"value": value})
        transaction.on_commit(_after_commit)
