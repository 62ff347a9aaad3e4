"""Navigation entries this app has built: section slug -> URL name (see core.context_processors)."""

NAV: dict[str, str] = {"tasks": "dispatch:tasks", "reports": "dispatch:mine", "board": "dispatch:board"}
