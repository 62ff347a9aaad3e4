"""A read replica (`LIANGXIN_REPLICA_URL`): the cockpit, the big lists and their exports read
from a PostgreSQL streaming replica; everything else reads and writes the primary.

* Writes always go to the primary (`db_for_write`), and so does every read inside a
  transaction (a service's checks before its write, the audit chain's head, `select_for_update`).
* Only the views named in `LIANGXIN_REPLICA_VIEWS` (GET and HEAD) read from the replica: the
  pages where a figure a second or two old is fine. Login, forms, details and the API stay on
  the primary.
* Read-your-writes: after a user's own change (any POST, PUT, PATCH or DELETE), that user's
  pages read the primary for `LIANGXIN_REPLICA_STICKY_SECONDS`, longer than the replica lags,
  so the list they return to shows what they just saved.
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import connections

REPLICA = "replica"
WROTE_AT = "liangxin_wrote_at"  # session key: when this user last changed something

_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("liangxin_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_configured() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary


def eligible(resolver_match) -> bool:
    """Whether a view may read from the replica: named as ``namespace`` or ``namespace:name``."""
    if resolver_match is None:
        return False
    names = settings.LIANGXIN_REPLICA_VIEWS
    return resolver_match.view_name in names or resolver_match.namespace in names


class ReplicaReadsMiddleware:
    """Sends an eligible page's reads to the replica unless its user changed something lately;
    remembers the user's changes (in the session) for read-your-writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reading_replica.set(False)
        try:
            response = self.get_response(request)
        finally:
            _reading_replica.reset(token)
        session = getattr(request, "session", None)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and session is not None
            and response.status_code < 500
        ):
            session[WROTE_AT] = time.time()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not replica_configured() or request.method not in ("GET", "HEAD"):
            return None
        if not eligible(getattr(request, "resolver_match", None)):
            return None
        session = getattr(request, "session", None)
        wrote_at = session.get(WROTE_AT) if session is not None else None
        if wrote_at is not None and time.time() - wrote_at < settings.LIANGXIN_REPLICA_STICKY_SECONDS:
            return None  # read-your-writes: this user's change may not have reached the replica
        _reading_replica.set(True)
        return None
