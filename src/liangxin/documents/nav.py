"""Navigation entries this app has built: section slug -> URL name (see core.context_processors)."""

NAV: dict[str, str] = {"bulletins": "documents:bulletins", "assessment": "documents:assessment"}
