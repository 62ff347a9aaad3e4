import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Cached month-ends are keyed by ids that a rolled-back test may hand out again."""
    cache.clear()
    yield
    cache.clear()
