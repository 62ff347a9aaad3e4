"""A committee's figures come from the coverage engine over its field, and its verdict from the
published thresholds."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from liangxin.committee import figures
from liangxin.coverage.models import BranchInspection, Formation, Rating
from tests.committee.factories import make_activity, make_committee
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.dispatch.factories import make_period, make_task

D = datetime.date
pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def logistics_world(city):
    """Six logistics organizations (G), two couriers tagged 快递 in another industry, one shop."""
    orgs = [make_org(f"物流{i}", industry_id="54", industry_section="G") for i in range(6)]
    couriers = [
        make_org(f"快递{i}", industry_id="60", industry_section="G", tags=("快递",)) for i in range(2)
    ]
    shop = make_org("超市", industry_id="52", industry_section="F")
    # 物流0 covered since 2020; 物流1 since 2022-03 (so the year-ago rate is lower); 物流2 by a joint
    # branch; 物流3 by an instructor; others none. A courier single since 2019.
    make_party_org("物流0支部", orgs[0], founded_on=D(2020, 1, 1))
    make_party_org("物流1支部", orgs[1], founded_on=D(2022, 3, 1))
    make_party_org("物流联合支部", orgs[2], formation=Formation.JOINT, founded_on=D(2021, 1, 1))
    make_instructor("王指导", orgs[3], starts_on=D(2021, 6, 1))
    make_party_org("快递0支部", couriers[0], founded_on=D(2019, 1, 1))
    make_party_org("超市支部", shop, founded_on=D(2019, 1, 1))
    return orgs, couriers, shop


def test_committees_json_equals_coverage_restricted_to_its_field_on_two_dates(logistics_world):
    make_committee("物流行业党委", owner="交通运输局", industries=("G",))
    make_committee("快递行业党委", owner="邮政管理局", tags=("快递",))
    for day in ("2022-05-31", "2021-05-31"):
        committees = {c["name"]: c for c in run("committees", "--as-of", day)["committees"]}
        by_industry = {r["code"]: r for r in run("coverage", "--as-of", day, "--by", "industry")["rows"]}
        g = by_industry["G"]
        assert committees["物流行业党委"]["organizations"] == g["in_scope"] == 8
        assert committees["物流行业党委"]["org_rate"] == g["org_rate"]
        assert committees["物流行业党委"]["work_rate"] == g["work_rate"]
        tagged = run("coverage", "--as-of", day, "--scope", "tag:快递")["total"]
        assert committees["快递行业党委"]["organizations"] == tagged["in_scope"] == 2
        assert committees["快递行业党委"]["org_rate"] == tagged["org_rate"] == 0.5
        assert committees["快递行业党委"]["work_rate"] == tagged["work_rate"]
    now = {c["name"]: c for c in run("committees", "--as-of", "2022-05-31")["committees"]}
    before = run("coverage", "--as-of", "2021-05-31", "--by", "industry")["rows"]
    assert now["物流行业党委"]["org_rate_year_ago"] == next(r for r in before if r["code"] == "G")["org_rate"]
    assert now["物流行业党委"]["org_rate"] == 0.5  # 物流0, 物流1, 物流联合, 快递0 of 8
    assert now["物流行业党委"]["org_rate_year_ago"] == 0.375


def test_a_committee_not_yet_founded_is_not_listed_and_its_unit_is_missing(logistics_world):
    make_committee("物流行业党委", owner="交通运输局", industries=("G",), founded_on=D(2022, 4, 1))
    early = run("committees", "--as-of", "2022-03-31")
    assert early["committees"] == []
    assert "交通运输局" in [m["unit"] for m in early["missing"]]
    late = run("committees", "--as-of", "2022-05-31")
    assert [c["name"] for c in late["committees"]] == ["物流行业党委"]
    assert "交通运输局" not in [m["unit"] for m in late["missing"]]


def test_a_member_unit_supervising_an_industry_without_a_committee_is_missing_until_one_is_recorded(city):
    from liangxin.core.models import Industry, MemberUnit

    unit = MemberUnit.objects.get(name="司法局")
    unit.industries.set(Industry.objects.filter(code="72"))
    unit.tags = ["律师事务所"]
    unit.save()
    missing = {m["unit"]: m for m in run("committees", "--as-of", "2022-05-31")["missing"]}
    assert missing["司法局"] == {"unit": "司法局", "industries": ["72"], "tags": ["律师事务所"]}
    make_committee("律师行业党委", owner="司法局", tags=("律师事务所",))
    missing = {m["unit"] for m in run("committees", "--as-of", "2022-05-31")["missing"]}
    assert "司法局" not in missing


def test_party_orgs_inspections_tasks_and_activities_feed_the_verdict(logistics_world):
    committee = make_committee("物流行业党委", owner="交通运输局", industries=("G",))
    joint = committee.party_org.__class__.objects.get(name="物流联合支部")
    joint.parent = committee.party_org
    joint.save()
    BranchInspection.objects.create(party_org=joint, inspected_on=D(2022, 3, 1), rating=Rating.GOOD)
    BranchInspection.objects.create(party_org=joint, inspected_on=D(2021, 9, 1), rating=Rating.POOR)
    make_period("2022-05")
    make_task("1", lead="交通运输局", deadline=D(2022, 4, 30))  # no report: 逾期 on 2022-05-31
    make_task("2", lead="邮政管理局")
    make_activity(committee, D(2022, 2, 1))
    make_activity(committee, D(2022, 4, 1))
    make_activity(committee, D(2021, 12, 1))  # last year: not counted
    found = run("committees", "--as-of", "2022-05-31")["committees"][0]
    assert found["party_orgs"] == 1
    assert (found["inspections"], found["poor_inspections"]) == (1, 0)
    assert found["tasks"] == {"done": 0, "green": 0, "yellow": 0, "red": 1}
    assert found["activities"] == 2
    # org rate 50.0% < 60% but +12.5 points in a year; activities 2 ≥ 2 by May; inspections fine;
    # one task overdue: 3 of 4 → 一般.
    assert found["verdict"] == "一般"
    assert any("逾期1" in r for r in found["reasons"])
    assert any("+12.5个百分点" in r for r in found["reasons"])


def test_each_verdict_follows_the_published_thresholds(logistics_world, settings):
    committee = make_committee("物流行业党委", owner="交通运输局", industries=("G",))
    ctx = figures.Context(D(2022, 5, 31))
    weak = figures.compute(committee, ctx)  # rate rose (met), no activity, no inspection, no task
    assert weak.verdict.met == 2 and weak.verdict.label == "一般"
    settings.LIANGXIN_COMMITTEE_RATE_RISE = 20  # the rise no longer suffices
    assert figures.compute(committee, ctx).verdict.label == "待加强"
    settings.LIANGXIN_COMMITTEE_RATE_RISE = 5
    joint = committee.party_org.__class__.objects.get(name="物流联合支部")
    joint.parent = committee.party_org
    joint.save()
    BranchInspection.objects.create(party_org=joint, inspected_on=D(2022, 3, 1), rating=Rating.GOOD)
    make_activity(committee, D(2022, 2, 1))
    make_activity(committee, D(2022, 4, 1))
    strong = figures.compute(committee, ctx)
    assert strong.verdict.label == "发挥作用明显", [r.text for r in strong.verdict.reasons]
    assert all(r.met for r in strong.verdict.reasons)
