"""Navigation entries this app has built: section slug -> URL name (see core.context_processors)."""

NAV: dict[str, str] = {
    "coverage": "coverage:table",
    "party-orgs": "coverage:party_orgs",
    "instructors": "coverage:instructors",
    "inspections": "coverage:inspections",
}
