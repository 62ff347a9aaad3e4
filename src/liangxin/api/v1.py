"""The versioned API (`/api/v1/`): django-ninja, its OpenAPI document and docs page (Swagger UI
from the package's own static files, served by WhiteNoise: no CDN)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from liangxin.api import tokens
from liangxin.api.problems import ApiProblem, from_problem, problem_response
from liangxin.core.audit import RequestContext, current_ip, set_request_context
from liangxin.core.middleware import is_busy
from liangxin.core.models import AuditLog

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer lx_…`: the token acts as its account, within that account's
    jurisdiction; every audit record of the request is marked 接口 with the token's name."""

    def authenticate(self, request, token: str):
        found = tokens.find_token(token)
        if found is None:
            return None
        wait = tokens.over_limit(found)
        if wait is not None:
            raise ApiProblem(
                429,
                f"令牌“{found.name}”每分钟最多 {found.rate_per_minute} 次请求，请 {wait} 秒后重试",
                headers={"Retry-After": str(wait)},
            )
        request.user = found.user
        set_request_context(
            RequestContext(ip=current_ip(), source=AuditLog.Source.API, detail=f"接口令牌：{found.name}")
        )
        return found


class ChineseJSON(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # 中文 as itself, not \\u escapes


api = NinjaAPI(
    renderer=ChineseJSON(),
    title="两新组织党建工作调度平台 API",
    version="1",
    description="各接口以令牌所代表账号的管辖范围为限；错误以 application/problem+json 返回中文说明。",
    auth=TokenAuth(),
    urls_namespace="api_v1",
)


@api.exception_handler(ApiProblem)
def _problem(request, exc: ApiProblem):
    return from_problem(exc)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "header")]
        errors.append({"field": ".".join(loc) or "body", "message": f"格式不正确：{error.get('msg', '')}"})
    return problem_response(422, "请求数据的格式不正确，请对照接口文档", errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(
        401,
        "缺少有效的接口令牌（Authorization: Bearer …），或令牌已过期、已吊销",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problem_response(exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(
        404, str(exc) if str(exc) and not str(exc).isascii() else "未找到，或不在您的管辖范围内"
    )


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return problem_response(403, str(exc) or "无权操作")


@api.exception_handler(PermissionError)
def _refused(request, exc):
    return problem_response(403, str(exc) or "无权操作")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return problem_response(413, "请求体过大，请分批提交（每次最多 5000 条）")


@api.exception_handler(Exception)
def _unexpected(request, exc):
    if is_busy(exc):
        return problem_response(
            503, "系统繁忙，请稍后重试（本次未写入任何数据）", headers={"Retry-After": "5"}
        )
    raise exc


def _register() -> None:
    from liangxin.api import figures, organizations, registrations, reports

    api.add_router("/organizations/", organizations.router)
    api.add_router("/registrations/", registrations.router)
    api.add_router("/reports/", reports.router)
    api.add_router("/", figures.router)


_register()
