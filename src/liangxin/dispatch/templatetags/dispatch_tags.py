from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.875 → 87.5%; None → —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"
