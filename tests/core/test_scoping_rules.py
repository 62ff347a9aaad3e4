"""core.scoping: roles whose jurisdiction is given by per-model user rules (the instructor)."""

import pytest
from django.db.models import Q

from liangxin.core.models import MemberUnit, Region
from liangxin.core.roles import Role
from liangxin.core.scoping import USER_RULE_ROLES, Scope, register_user_rule, scope_for, user_rule
from tests.factories import make_user


def test_only_a_user_rule_role_may_get_rules():
    with pytest.raises(ValueError):
        register_user_rule(Role.COUNTY, Region, lambda scope: Q())


def test_the_instructor_is_such_a_role_and_its_rules_are_registered_by_the_coverage_app():
    assert Role.INSTRUCTOR in USER_RULE_ROLES
    assert user_rule(Role.INSTRUCTOR, Region) is not None
    assert user_rule(Role.INSTRUCTOR, MemberUnit) is None


def test_a_model_without_a_rule_shows_nothing_and_a_scope_without_a_user_nothing():
    assert Scope(role=Role.INSTRUCTOR, user_id=1, region_level="county", region_code="360802").q(
        MemberUnit
    ) == Q(pk__in=[])
    assert Scope(role=Role.INSTRUCTOR).q(Region) == Q(pk__in=[])


@pytest.mark.django_db
def test_the_scope_carries_the_user_and_a_region_grants_an_instructor_nothing(city):
    instructor = make_user("zdy", role="instructor", region="360802")
    county = make_user("qx", role="county", region="360802")
    assert scope_for(instructor).user_id == instructor.pk
    assert not Region.objects.visible_to(instructor).exists()  # no assignment, no region
    assert Region.objects.visible_to(county).filter(code="360802001").exists()
