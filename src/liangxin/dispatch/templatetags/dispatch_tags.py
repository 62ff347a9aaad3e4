from django import template

from liangxin.core.rates import format_percent

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.875 → 87.5%; None → — (the one rate format, liangxin.core.rates)."""
    return format_percent(value)
