"""The navigation: the whole product, with sections not built yet saying so plainly."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from django.http import HttpRequest
from django.urls import reverse

from liangxin.core.plugins import app_modules
from liangxin.core.roles import Role

logger = logging.getLogger(__name__)

WORK_ROLES = (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK, Role.INSTRUCTOR)
# Instructors are scoped to the organizations they guide; the dispatch is not theirs.
DISPATCH_ROLES = tuple(r for r in WORK_ROLES if r != Role.INSTRUCTOR)

# (heading, [(label, url name or None when not built yet, section slug, roles)])
SECTIONS = [
    ("工作台", [("首页", "home", "home", None)]),
    (
        "摸清底数",
        [
            ("两新组织台账", None, "registry", WORK_ROLES),
            ("三同步跟进", None, "followups", WORK_ROLES),
        ],
    ),
    (
        "两个覆盖",
        [
            ("覆盖情况", None, "coverage", WORK_ROLES),
            ("党组织", None, "party-orgs", WORK_ROLES),
            ("党建指导员", None, "instructors", WORK_ROLES),
            ("联合党支部排查", None, "inspections", WORK_ROLES),
        ],
    ),
    (
        "月调度",
        [
            ("重点任务", None, "tasks", DISPATCH_ROLES),
            ("本月填报", None, "reports", DISPATCH_ROLES),
            ("调度看板", None, "board", DISPATCH_ROLES),
            ("通报", None, "bulletins", (Role.OFFICE, Role.MEMBER_UNIT, Role.COUNTY)),
            ("年度考核", None, "assessment", (Role.OFFICE,)),
        ],
    ),
    (
        "重点工作",
        [
            ("行业党委", None, "industry-committees", DISPATCH_ROLES),
            ("新就业群体", None, "workforce", DISPATCH_ROLES),
            ("五融入五提升", None, "five-integrations", DISPATCH_ROLES),
            ("结对共建", None, "pairings", DISPATCH_ROLES),
            ("品牌与示范点", None, "brands", DISPATCH_ROLES),
            ("工委会议", None, "meetings", DISPATCH_ROLES),
        ],
    ),
    ("驾驶舱", [("数据驾驶舱", None, "cockpit", WORK_ROLES)]),
    (
        "基础数据",
        [
            (
                "行政区划与功能区",
                "core:regions",
                "regions",
                (Role.OFFICE, Role.SYSTEM_ADMIN, Role.MEMBER_UNIT, Role.COUNTY, Role.TOWNSHIP, Role.PARK),
            ),
            (
                "成员单位",
                "core:member_units",
                "member-units",
                (Role.OFFICE, Role.SYSTEM_ADMIN, Role.MEMBER_UNIT, Role.COUNTY),
            ),
        ],
    ),
    (
        "系统管理",
        [
            ("用户与角色", "accounts:users", "users", (Role.SECURITY_ADMIN,)),
            ("审计日志", "core:audit_log", "audit", (Role.AUDIT_ADMIN,)),
            ("接口令牌", None, "api-tokens", (Role.SECURITY_ADMIN,)),
        ],
    ),
]


@dataclass(frozen=True)
class NavBadge:
    """A number beside a navigation entry (e.g. unread notices), listed in an app's `nav.BADGES`.

    `count(request)` runs only when a page shows the navigation, at most once per page; it
    should cost one cheap query. 0 or None shows nothing; an error shows nothing and is logged,
    so a badge never breaks a page."""

    count: Callable[[HttpRequest], int | None]
    title: str


class LazyBadge:
    """A badge's number for one request, computed when the template first asks for it."""

    def __init__(self, badge: NavBadge, request: HttpRequest) -> None:
        self.badge = badge
        self.request = request
        self.title = badge.title

    @functools.cached_property
    def value(self) -> int | None:
        try:
            return self.badge.count(self.request) or None
        except Exception:
            logger.exception("navigation badge %r failed", self.badge.title)
            return None


@functools.cache
def _nav_modules() -> list[ModuleType]:
    return app_modules("nav")


@functools.cache
def built_sections() -> dict[str, str]:
    """slug -> URL name, from each app's `nav.NAV` (an app lists the sections it has built)."""
    found: dict[str, str] = {}
    for module in _nav_modules():
        found.update(module.NAV)
    return found


@functools.cache
def nav_badges() -> dict[str, NavBadge]:
    """slug -> badge, from each app's optional `nav.BADGES`."""
    found: dict[str, NavBadge] = {}
    for module in _nav_modules():
        found.update(getattr(module, "BADGES", {}))
    return found


def not_built() -> dict[str, str]:
    built = built_sections()
    return {
        slug: label
        for _, items in SECTIONS
        for label, url, slug, _ in items
        if url is None and slug not in built
    }


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.path
    nav = []
    for heading, items in SECTIONS:
        links = []
        for label, url_name, slug, roles in items:
            if roles is not None and user.role not in roles:
                continue
            url_name = url_name or built_sections().get(slug)
            url = reverse(url_name) if url_name else reverse("not_built", args=[slug])
            active = current == url or (url_name not in (None, "home") and current.startswith(url))
            badge = nav_badges().get(slug) if url_name else None
            links.append(
                {
                    "label": label,
                    "url": url,
                    "built": url_name is not None,
                    "active": active,
                    "badge": LazyBadge(badge, request) if badge else None,
                }
            )
        if links:
            nav.append({"heading": heading, "links": links})
    return {"nav": nav}
