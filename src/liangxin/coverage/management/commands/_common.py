"""Shared argument parsing of the coverage commands."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from liangxin.core.models import Installation, Region


def parse_as_of(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”格式不对，应为 YYYY-MM-DD，例如 2022-05-31") from None


def parse_region(code: str | None) -> Region:
    if not code:
        city = Installation.current_city()
        if city is None:
            raise CommandError("系统尚未安装城市，请先运行 liangxin setup --city 360800")
        return city
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise CommandError(f"区划代码“{code}”不存在，请核对（例如吉州区为 360802）")
    return region
