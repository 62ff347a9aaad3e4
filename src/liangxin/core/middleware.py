import logging
import sys
from urllib.parse import unquote

from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

from liangxin.core import audit
from liangxin.core.audit import RequestContext, reset_request_context, set_request_context
from liangxin.core.models import AuditLog

# Pages whose mere viewing is audited (等保: reads of the audit trail and of the accounts).
AUDITED_PAGES = {
    "audit_log": "core.audit.viewed",
    "users": "accounts.users.viewed",
    "user_create": "accounts.user.viewed",
    "user_edit": "accounts.user.viewed",
}

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
# The connection to PostgreSQL was lost: class 08 (connection exception), or the server ended
# the session (pg_terminate_backend, a restart, a crash). The request's transaction is gone with
# it; the next request connects afresh (CONN_HEALTH_CHECKS finds a dead idle connection first).
LOST_PG_CODES = ("57P01", "57P02", "57P03")
LOST_MESSAGES = (
    "server closed the connection",
    "terminating connection",
    "connection already closed",
    "connection is closed",
    "connection is lost",
    "consuming input failed",
    "could not connect",
    "connection refused",
)


def is_busy(exc: BaseException) -> bool:
    """A database that stayed busy longer than this request would wait (SQLite: another
    transaction held the write lock past the busy timeout)."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in BUSY_PG_CODES:
        return True
    return any(m in str(exc).lower() for m in BUSY_MESSAGES)


def is_connection_lost(exc: BaseException) -> bool:
    """The database connection broke under the request (the server restarted, or ended it)."""
    if not isinstance(exc, DatabaseError):
        return False
    state = getattr(exc.__cause__, "sqlstate", None) or ""
    if state.startswith("08") or state in LOST_PG_CODES:
        return True
    return any(m in str(exc).lower() for m in LOST_MESSAGES)


def unavailable(request, exc: BaseException) -> HttpResponse:
    """“系统繁忙，请稍后重试” (HTTP 503, Retry-After), rendered without touching the database
    (no context processors: the connection may be the thing that failed)."""
    logger.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
    page = render_to_string("503.html", {"posted": request.method == "POST"})
    return HttpResponse(page, status=503, headers={"Retry-After": "5"})


class BusyDatabaseMiddleware:
    """A request that meets a busy database gets “系统繁忙，请稍后重试” (HTTP 503, Retry-After),
    never a 500: its transaction was rolled back, so nothing half-done is kept, and a form can be
    sent again. (`server_error` does the same for a failure inside another middleware.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception) or is_connection_lost(exception):
            return unavailable(request, exception)
        return None


def server_error(request) -> HttpResponse:
    """handler500: a database that is busy or went away (met in a middleware, e.g. while the
    session is loaded) is 系统繁忙 too; anything else is the plain 500 page."""
    exc = sys.exc_info()[1]
    if exc is not None and (is_busy(exc) or is_connection_lost(exc)):
        return unavailable(request, exc)
    return HttpResponseServerError(render_to_string("500.html"))


def _download_name(response) -> str:
    disposition = response.get("Content-Disposition", "")
    if "attachment" not in disposition:
        return ""
    if "filename*=" in disposition:
        return unquote(disposition.split("filename*=", 1)[1].split("''", 1)[-1].strip('"; '))
    if "filename=" in disposition:
        return disposition.split("filename=", 1)[1].strip('"; ')
    return "（未命名）"


class AuditReadsMiddleware:
    """Records what a signed-in user reads that an assessor asks about, in one place: every
    download (any response sent as an attachment: exports, templates, attachments, error
    workbooks), views of the audit log and the user pages, and every refusal (403, 404)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        path = request.get_full_path()[:255]
        match = getattr(request, "resolver_match", None)
        url_name = match.url_name if match else ""
        if response.status_code in (403, 404):
            audit.record(
                "core.access.denied",
                actor=user,
                object_type="page",
                object_repr=path[:200],
                source_detail=f"{request.method} {path}",
                result=AuditLog.Result.FAILURE,
                message="无权访问（403）" if response.status_code == 403 else "不存在或无权查看（404）",
            )
        elif response.status_code == 200 and (name := _download_name(response)):
            audit.record(
                "core.file.downloaded", actor=user, object_type="file", object_repr=name, source_detail=path
            )
        elif response.status_code == 200 and request.method == "GET" and url_name in AUDITED_PAGES:
            audit.record(AUDITED_PAGES[url_name], actor=user, object_type="page", object_repr=path[:200],
                         source_detail=path)  # fmt: skip
        return response
