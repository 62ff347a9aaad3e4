import logging

from django.db import DatabaseError
from django.shortcuts import render

from liangxin.core.audit import RequestContext, reset_request_context, set_request_context

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted solely when a proxy is configured to set
    # REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips), so a client cannot forge its IP.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Makes the client IP available to the audit service for the duration of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_context(RequestContext(ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_request_context(token)


BUSY_MESSAGES = ("database is locked", "database table is locked")
BUSY_PG_CODES = ("55P03", "40001", "40P01")  # lock not available, serialization failure, deadlock


def is_busy(exc: BaseException) -> bool:
    """A database that stayed busy longer than this request would wait (SQLite: another
    transaction held the write lock past the busy timeout)."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in BUSY_PG_CODES:
        return True
    return any(m in str(exc).lower() for m in BUSY_MESSAGES)


class BusyDatabaseMiddleware:
    """A request that meets a busy database gets “系统繁忙，请稍后重试” (HTTP 503, Retry-After),
    never a 500: its transaction was rolled back, so nothing half-done is kept, and a form can be
    sent again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        logger.warning("database busy: %s %s: %s", request.method, request.path, exception)
        response = render(request, "503.html", {"posted": request.method == "POST"}, status=503)
        response["Retry-After"] = "5"
        return response
