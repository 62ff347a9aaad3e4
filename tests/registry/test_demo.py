from liangxin.core.tabular import credit_code_problem
from liangxin.registry import demo


def test_the_demo_organizations_are_deterministic_and_valid(city):
    first, tags = demo.build(city, count=400)
    second, _ = demo.build(city, count=400)
    assert [o.name for o in first] == [o.name for o in second]
    assert all(credit_code_problem(o.credit_code) is None for o in first)
    assert len({o.name for o in first}) == 400
    kinds = {o.kind for o in first}
    assert kinds == {"enterprise", "social"}
    assert {o.status for o in first} >= {"active", "operating", "cancelled"}
    assert any(o.party_members >= 3 for o in first) and any(o.party_members in (1, 2) for o in first)
    assert all(o.county_code == o.region.county_code and o.city_code == "360800" for o in first)
    assert tags
