"""What every read endpoint shares: the as-of date, the roles a page admits, and cursor pages."""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Field, Schema

from liangxin.api.problems import ApiProblem

ROLE_REFUSED = "您的角色无权使用此功能"


def as_of(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ApiProblem(422, f"日期“{value}”格式不对，应为 YYYY-MM-DD") from None


def year(value: int | None) -> int:
    if value is None:
        return timezone.localdate().year
    if not 2000 <= value <= 2100:
        raise ApiProblem(422, f"年度“{value}”不对，应为如 2022 的四位年份")
    return value


def require_role(request, roles: Sequence[str]) -> None:
    """The roles the matching page admits (its `role_required`): others get 403, whatever exists."""
    if request.auth.user.role not in roles:
        raise ApiProblem(403, ROLE_REFUSED)


def decode_cursor(value: str | None) -> int | None:
    if not value:
        return None
    try:
        number = int(base64.urlsafe_b64decode(value.encode("ascii") + b"==").decode("ascii"))
    except (binascii.Error, ValueError, UnicodeError):
        number = -1
    if number < 0:
        raise ApiProblem(400, "游标无效，请使用上一页返回的 next_cursor")
    return number


def encode_cursor(number: int) -> str:
    return base64.urlsafe_b64encode(str(number).encode("ascii")).decode("ascii").rstrip("=")


class PageQuery(Schema):
    cursor: str | None = Field(None, description="上一页返回的 next_cursor")
    limit: int = Field(100, ge=1, le=500, description="每页条数（1–500）")


def keyset_page(rows: QuerySet, query: PageQuery, serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """Newest first by id; the cursor is the last id of the page (stable under inserts)."""
    after = decode_cursor(query.cursor)
    if after is not None:
        rows = rows.filter(pk__lt=after)
    found = list(rows.order_by("-pk")[: query.limit + 1])
    page = found[: query.limit]
    return {
        "items": [serialize(row) for row in page],
        "next_cursor": encode_cursor(page[-1].pk) if len(found) > query.limit else None,
    }


def list_page(items: Sequence[Any], query: PageQuery, serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """A list in its own order (figures per committee, a queryset ordered by name …); the cursor
    is an offset. Only the page and one more row are read."""
    start = decode_cursor(query.cursor) or 0
    chunk = list(items[start : start + query.limit + 1])
    return {
        "items": [serialize(item) for item in chunk[: query.limit]],
        "next_cursor": encode_cursor(start + query.limit) if len(chunk) > query.limit else None,
    }
