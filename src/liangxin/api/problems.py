"""Errors as RFC 9457 problem details (application/problem+json) with a Chinese `detail`; the
field errors of a write carry the importer's messages."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "请求有误",
    401: "未认证",
    403: "无权操作",
    404: "未找到",
    405: "不支持的方法",
    409: "冲突",
    413: "请求过大",
    422: "数据校验未通过",
    429: "请求过于频繁",
    503: "系统繁忙",
}


class ApiProblem(Exception):
    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(
    status: int, detail: str, *, errors: list | None = None, headers: dict | None = None
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "错误"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def from_problem(exc: ApiProblem) -> JsonResponse:
    return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


def field_error(field: str, message: str, *, index: int | None = None, code: str = "") -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if index is not None:
        error["index"] = index
    if code:
        error["credit_code"] = code
    return error
