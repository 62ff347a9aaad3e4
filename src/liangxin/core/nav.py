"""The core's navigation badge: the number of things on the user's to-do page."""

from django.utils import timezone

from liangxin.core.context_processors import NavBadge

NAV: dict[str, str] = {}


def todo_count(request) -> int:
    from liangxin.core.todo import count_for

    return count_for(request.user, timezone.localdate())


BADGES: dict[str, NavBadge] = {"home": NavBadge(count=todo_count, title="待办事项")}
