"""The to-do home page (工作台): what each user has to do next, gathered from the domains.

Each app may have a ``todo`` module with ``groups(user, today) -> list[Group]`` (things to do,
each linking to the page that finishes it) and ``headlines(user, today) -> list[Headline]`` (a
few figures of the user's jurisdiction). The core knows no domain: it only gathers and orders.
Every provider reads through the user's jurisdiction (`restrict`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache

from liangxin.core.plugins import app_modules

ITEMS_SHOWN = 8
BADGE_SECONDS = 60


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    detail: str = ""
    due: datetime.date | None = None
    overdue: bool = False


@dataclass
class Group:
    key: str  # e.g. "dispatch.due": stable, for tests and anchors
    title: str
    count: int
    items: list[Item] = field(default_factory=list)
    more_url: str = ""  # the full list, when more than the items shown
    order: int = 50  # lower first: the most pressing work on top
    in_badge: bool = True  # False: news, not work (shown, not counted in the navigation's badge)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    url: str = ""
    note: str = ""


def groups_for(user, today: datetime.date) -> list[Group]:
    """The user's to-do groups that have something in them, most pressing first."""
    found: list[Group] = []
    for module in app_modules("todo"):
        provider = getattr(module, "groups", None)
        if provider is not None:
            found.extend(g for g in provider(user, today) if g.count)
    return sorted(found, key=lambda g: (g.order, g.key))


def headlines_for(user, today: datetime.date) -> list[Headline]:
    found: list[Headline] = []
    for module in app_modules("todo"):
        provider = getattr(module, "headlines", None)
        if provider is not None:
            found.extend(provider(user, today))
    return found


def _count_key(user, today: datetime.date) -> str:
    return f"todo:count:{user.pk}:{today.isoformat()}"


def remember_count(user, today: datetime.date, groups: list[Group]) -> None:
    """The to-do page has just counted: the badge shows the same number from now on."""
    cache.set(_count_key(user, today), badge_count(groups), BADGE_SECONDS)


def badge_count(groups: list[Group]) -> int:
    return sum(g.count for g in groups if g.in_badge)


def count_for(user, today: datetime.date) -> int:
    """How many things the user has to do (the navigation's badge), kept a minute per user
    (the to-do page refreshes it whenever it is opened)."""
    count = cache.get(_count_key(user, today))
    if count is None:
        groups = groups_for(user, today)
        remember_count(user, today, groups)
        count = badge_count(groups)
    return count
