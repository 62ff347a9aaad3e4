"""The versioned API (`/api/v1/`): django-ninja, its OpenAPI document and docs page (Swagger UI
from the package's own static files, served by WhiteNoise: no CDN)."""

from __future__ import annotations

import logging
from functools import wraps

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.urls import Resolver404, re_path, resolve
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from liangxin.api import tokens, validation
from liangxin.api.problems import CONTENT_TYPE, TITLES, ApiProblem, from_problem, problem_response
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


class ProblemAPI(NinjaAPI):
    """Every answer under /api/v1/ is JSON: ninja's own 405 (an HTML-less text body) and an
    unknown address become problem documents too."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _problem_405(pattern.callback)
        patterns.append(re_path(r"^.*$", _unknown_address, name="unknown_address"))
        return patterns, app_name, namespace


def _problem_405(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != CONTENT_TYPE:
            allowed = response.get("Allow", "")
            return problem_response(
                405,
                f"此地址不支持 {request.method} 方法；支持的方法：{allowed.replace(', ', '、')}",
                headers={"Allow": allowed},
            )
        return response

    return wrapper


def _unknown_address(request):
    hint = ""
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").url_name != "unknown_address":
                hint = f"；是否少了结尾的“/”（{request.path}/）"
        except Resolver404:
            pass
    return problem_response(404, f"接口地址“{request.path}”不存在{hint}，请对照接口文档 /api/v1/docs")


api = ProblemAPI(
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
    errors = validation.field_errors(exc.errors)
    return problem_response(422, validation.summary(errors), errors=errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(
        401,
        "缺少有效的接口令牌（Authorization: Bearer …），或令牌已过期、已吊销",
        headers={"WWW-Authenticate": "Bearer"},
    )


# ninja's own messages (English) in Chinese.
NINJA_MESSAGES = {
    "Cannot parse request body": "请求体无法解析：应为 UTF-8 编码的 JSON（Content-Type: application/json）",
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = str(exc)
    if message.isascii():
        message = NINJA_MESSAGES.get(message, f"{TITLES.get(exc.status_code, '请求有误')}，请对照接口文档")
    return problem_response(exc.status_code, message)


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
    from liangxin.api import (
        dispatch,
        figures,
        health,
        ledgers,
        organizations,
        registrations,
        reports,
        workforce,
    )

    api.add_router("/organizations/", organizations.router)
    api.add_router("/registrations/", registrations.router)
    api.add_router("/reports/", reports.router)
    api.add_router("/", figures.router)
    api.add_router("/", dispatch.router)
    api.add_router("/", ledgers.router)
    api.add_router("/", workforce.router)
    api.add_router("/", health.router)


_register()
