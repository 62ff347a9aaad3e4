"""Each unit's own 政务微信 work group: a robot webhook per member unit and per region (county,
township), set by the system administrator (三员分立: endpoints are system settings, not accounts),
audited with the URL masked. A notice goes to the robot of its unit, else of the unit's region or
the nearest region above it that has one, else the city's (``LIANGXIN_NOTIFY_ROBOT_URL``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from liangxin.core import audit
from liangxin.core.models import MemberUnit, Region, RegionLevel
from liangxin.core.roles import Role
from liangxin.notify.models import RobotEndpoint

CITY_GROUP = "全市工作群"
REGION_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
_validate = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class Target:
    url: str
    group: str  # whose work group, for the delivery log


def robot_for(unit: MemberUnit) -> Target:
    """The robot a notice to `unit` goes to; an empty url when none is configured."""
    own = RobotEndpoint.objects.filter(unit=unit).exclude(url="").first()
    if own is not None:
        return Target(own.url, f"{unit.name}工作群")
    region = unit.region if unit.region_id else None
    while region is not None:
        found = RobotEndpoint.objects.filter(region=region).exclude(url="").first()
        if found is not None:
            return Target(found.url, f"{region.name}工作群")
        region = region.parent
    city = settings.LIANGXIN_NOTIFY_ROBOT_URL
    return Target(city, CITY_GROUP if city else "")


def any_robot() -> bool:
    return bool(settings.LIANGXIN_NOTIFY_ROBOT_URL) or RobotEndpoint.objects.exclude(url="").exists()


def clean_url(value: str) -> str:
    """A robot's webhook: an http(s) address with a host, no user name or password in it."""
    url = (value or "").strip()
    if not url:
        raise ValidationError("请填写群机器人地址")
    if len(url) > 500 or re.search(r"\s", url):
        raise ValidationError("群机器人地址不能含空格，且不超过 500 个字符")
    try:
        _validate(url)
    except ValidationError:
        raise ValidationError(
            "群机器人地址格式不对：应为 http(s) 开头的完整地址，如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
        ) from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError("群机器人地址中不能含用户名或密码")
    if not parts.query and parts.path in ("", "/"):
        raise ValidationError("群机器人地址缺少路径或 key 参数，请从群机器人设置中完整复制")
    return url


def masked(url: str) -> str:
    """The address without its secret: scheme, host and path, the query's values but their last
    four characters hidden (…/send?key=****8f3a)."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = "&".join(
        f"{name}={'****' + value[-4:] if len(value) > 8 else '****'}" if sep else name
        for name, sep, value in (item.partition("=") for item in parts.query.split("&") if item)
    )
    path = parts.path
    if len(path) > 24:  # a key in the path (some gateways): keep its head and tail only
        path = f"{path[:12]}****{path[-4:]}"
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{path}" + (
        f"?{query}" if query else ""
    )


def _check_admin(actor) -> None:
    if getattr(actor, "role", None) != Role.SYSTEM_ADMIN:
        raise PermissionDenied("只有系统管理员可以设置群机器人地址")


def _owner(unit: MemberUnit | None, region: Region | None) -> dict:
    if (unit is None) == (region is None):
        raise ValidationError("请选择一个成员单位或一个县（市、区）、乡镇（街道）")
    if region is not None and region.level not in REGION_LEVELS:
        raise ValidationError("只能为县（市、区）或乡镇（街道）设置群机器人；全市的群机器人在系统配置中设置")
    return {"unit": unit} if unit is not None else {"region": region}


@transaction.atomic
def set_robot(
    *, actor, url: str, unit: MemberUnit | None = None, region: Region | None = None
) -> RobotEndpoint:
    """Set (or replace) a unit's or a region's robot; audited with the URLs masked."""
    _check_admin(actor)
    owner = _owner(unit, region)
    url = clean_url(url)
    endpoint = RobotEndpoint.objects.select_for_update().filter(**owner).first()
    before = {"url": masked(endpoint.url)} if endpoint else None
    if endpoint is None:
        endpoint = RobotEndpoint(**owner)
    endpoint.url, endpoint.updated_by = url, actor
    endpoint.save()
    audit.record(
        "notify.robot.updated" if before else "notify.robot.created",
        actor=actor,
        object_type="notify.robot",
        object_id=str(endpoint.pk),
        object_repr=str(endpoint),
        before=before,
        after={"url": masked(url)},
    )
    return endpoint


@transaction.atomic
def clear_robot(*, actor, endpoint_id: int) -> RobotEndpoint | None:
    """Remove a robot: the unit's notices go to the next robot up (its region's, the city's)."""
    _check_admin(actor)
    endpoint = RobotEndpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        return None
    audit.record(
        "notify.robot.deleted",
        actor=actor,
        object_type="notify.robot",
        object_id=str(endpoint.pk),
        object_repr=str(endpoint),
        before={"url": masked(endpoint.url)},
    )
    endpoint.delete()
    return endpoint
