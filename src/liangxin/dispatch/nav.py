"""Navigation entries this app has built: section slug -> URL name (see core.context_processors),
and the badges on them."""

from liangxin.core.context_processors import NavBadge

NAV: dict[str, str] = {"tasks": "dispatch:tasks", "reports": "dispatch:mine", "board": "dispatch:board"}


def unread_notices(request) -> int:
    from liangxin.dispatch.notices import unread_count_for  # models load after the app registry

    return unread_count_for(request.user)


BADGES: dict[str, NavBadge] = {"reports": NavBadge(count=unread_notices, title="未读提醒")}
