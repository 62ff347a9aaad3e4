"""使用说明: each page's short help, and the per-role manuals (/help/), from the same texts.

A topic is a template ``help/<topic>.html`` (what every role reads), optionally with a role's own
``help/<topic>.<manual>.html``. A page's panel shows its topic in the user's role's words; a
role's manual lists its topics in order. So the panel and the manual never say different things."""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loader import select_template

from liangxin.core.roles import Role

# URL name or prefix → topic; the longest matching prefix wins.
PAGE_TOPICS: dict[str, str] = {
    "home": "workbench",
    "data_import": "import",
    "accounts:password_change": "account",
    "accounts:otp": "account",
    "notify:": "account",
    "accounts:": "users",
    "registry:followup": "followups",
    "registry:": "registry",
    "coverage:party_org": "party_orgs",
    "coverage:inspection": "inspections",
    "coverage:instructor": "instructors",
    "coverage:idle_instructors": "instructors",
    "coverage:instructor_visit": "visits",
    "coverage:visit": "visits",
    "coverage:health": "health",
    "coverage:rectification": "health",
    "coverage:quality": "health",
    "coverage:effective": "visits",
    "coverage:": "coverage",
    "dispatch:board": "board",
    "dispatch:chase": "chase",
    "dispatch:review": "review",
    "dispatch:report_accept": "review",
    "dispatch:report_return": "review",
    "dispatch:mine": "reports",
    "dispatch:report": "reports",
    "dispatch:attachment": "reports",
    "dispatch:notice": "notices",
    "dispatch:period": "periods",
    "dispatch:plan": "year",
    "dispatch:": "tasks",
    "documents:assessment": "assessment",
    "documents:": "bulletins",
    "dashboard:": "cockpit",
    "pairings:": "pairings",
    "workforce:": "workforce",
    "integration:": "integration",
    "brands:": "brands",
    "committee:meeting": "meetings",
    "committee:decision": "meetings",
    "committee:": "committees",
    "core:region": "regions",
    "core:area": "regions",
    "core:member_unit": "member_units",
    "core:audit": "audit",
    "api:": "api",
}

# The manuals: (slug, title, roles), and each one's topics in the order of a working day/year.
MANUALS = [  # the buttons of /help/
    ("office", "工委办公室", (Role.OFFICE,)),
    ("member_unit", "成员单位", (Role.MEMBER_UNIT,)),
    ("county", "县、乡镇、园区", (Role.COUNTY, Role.TOWNSHIP, Role.PARK)),
    ("instructor", "党建指导员", (Role.INSTRUCTOR,)),
    ("admins", "三员", (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)),
]
MANUAL_TITLES = {
    "office": "工委办公室",
    "member_unit": "成员单位",
    "county": "县（市、区）、乡镇（街道）、园区",
    "instructor": "党建指导员",
    "admins": "系统管理员、安全管理员、审计管理员（三员分立）",
}
MANUAL_TOPICS: dict[str, list[str]] = {
    "office": ["workbench", "import", "coverage", "tasks", "review", "chase", "bulletins", "year", "assessment",
               "account"],
    "member_unit": ["workbench", "reports", "notices", "registry", "account"],
    "county": ["workbench", "followups", "import", "coverage", "reports", "account"],
    "instructor": ["workbench", "registry", "visits", "account"],
    "admins": ["regions", "users", "audit", "account"],
}  # fmt: skip


def manual_of(user) -> str:
    """The manual of the user's role (the 三员 share one)."""
    role = getattr(user, "role", None)
    return next((slug for slug, _, roles in MANUALS if role in roles), "admins")


def topic_of(view_name: str | None) -> str | None:
    if not view_name:
        return None
    matches = [prefix for prefix in PAGE_TOPICS if view_name.startswith(prefix)]
    return PAGE_TOPICS[max(matches, key=len)] if matches else None


def template_of(topic: str, manual: str) -> str | None:
    """The topic in the manual's words when it has its own, else everyone's."""
    try:
        return select_template([f"help/{topic}.{manual}.html", f"help/{topic}.html"]).template.name
    except TemplateDoesNotExist:
        return None


def manual_sections(manual: str) -> list[str]:
    return [name for name in (template_of(t, manual) for t in MANUAL_TOPICS[manual]) if name]


def page_help(request) -> dict:
    """Context processor: `page_help`, the template of this page's 使用说明 (None: no panel)."""
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return {}
    topic = topic_of(match.view_name)
    if topic is None:
        return {}
    return {"page_help": template_of(topic, manual_of(user)), "page_help_topic": topic}
