"""Every property a coverage record offers answers on a saved record (a property naming fields
its model lacks — once `Instructor.parent_name` — fails here, not on a page)."""

from __future__ import annotations

import pytest

from liangxin.coverage.models import Formation, PartyOrganization
from tests.coverage.factories import make_instructor, make_org, make_party_org

pytestmark = pytest.mark.django_db


def own_properties(model) -> list[str]:
    names = set()
    for cls in model.__mro__:
        if cls.__module__.startswith("liangxin."):
            names |= {name for name, value in vars(cls).items() if isinstance(value, property)}
    return sorted(names)


def test_it_answers_every_property_of_a_party_organization_and_an_instructor():
    org = make_org("某科技有限公司", members=5)
    committee = make_party_org("某党委", region="360802")
    branch = make_party_org("某科技有限公司党支部", org, parent=committee)
    joint = make_party_org(
        "某联合党支部", org, formation=Formation.JOINT, external_parent_name="某街道党工委"
    )
    instructor = make_instructor("张三", org)
    for record in (branch, joint, instructor):
        for name in own_properties(type(record)):
            getattr(record, name)  # raises if it refers to what the record lacks
    assert branch.parent_name == "某党委"
    assert PartyOrganization.objects.get(pk=joint.pk).parent_name == "某街道党工委"
    assert "parent_name" not in own_properties(type(instructor))
