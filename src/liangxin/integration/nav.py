"""Navigation entries this app has built: section slug -> URL name (see core.context_processors)."""

NAV: dict[str, str] = {"five-integrations": "integration:list"}
