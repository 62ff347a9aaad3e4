"""有效覆盖质量 per 行业（综合）党委 (issue 20): each committee's joint branches by latest rating,
超期未换届 among it and its branches, their 整改, the instructors of its field without recent
visits — equal to a hand count, exported, and scoped (another unit sees nothing of it)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from liangxin.committee.views_quality import COMMITTEE_HEADERS
from liangxin.coverage import quality
from liangxin.coverage.models import (
    BranchInspection,
    Formation,
    Instructor,
    PartyOrganization,
    Rectification,
    Visit,
)
from tests.committee.factories import make_committee
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date
MAY_31 = D(2022, 5, 31)
URL = reverse("committee:quality")


def world():
    """物流行业党委 (门类 G) with three joint branches and a single one under it; 律师行业党委 (tag
    律师事务所) with one; a branch with no committee; instructors in and out of the fields."""
    logistics = make_committee("物流行业党委", owner="交通运输局", industries=("G",))
    lawyers = make_committee("律师行业党委", owner="司法局", tags=("律师事务所",))
    logistics.party_org.term_ends_on = D(2022, 3, 1)
    logistics.party_org.save()
    g = [make_org(f"物流{i}", industry_id="54", industry_section="G", members=1) for i in range(5)]
    poor = make_party_org("物流第一联合支部", g[0], formation=Formation.JOINT, parent=logistics.party_org)
    good = make_party_org("物流第二联合支部", g[1], formation=Formation.JOINT, parent=logistics.party_org,
                          term_ends_on=D(2022, 4, 30))  # fmt: skip
    make_party_org("物流第三联合支部", g[2], formation=Formation.JOINT, parent=logistics.party_org)
    make_party_org("物流单独支部", g[3], parent=logistics.party_org, term_ends_on=D(2022, 5, 1))
    law = make_org("某律师事务所", kind="social", tags=("律师事务所",), members=1)
    lawyers_branch = make_party_org("律师联合支部", law, formation=Formation.JOINT, parent=lawyers.party_org)
    make_party_org("无行业党委的联合支部", make_org("超市", members=1), formation=Formation.JOINT,
                   term_ends_on=D(2022, 1, 1))  # fmt: skip
    BranchInspection.objects.create(party_org=poor, inspected_on=D(2022, 4, 26), rating="poor")
    BranchInspection.objects.create(party_org=good, inspected_on=D(2022, 4, 20), rating="good")
    BranchInspection.objects.create(party_org=lawyers_branch, inspected_on=D(2022, 5, 2), rating="fair")
    Rectification.objects.create(
        party_org=poor, problem="三会一课未开展", opened_on=D(2022, 4, 26), due_on=D(2022, 5, 20)
    )
    Rectification.objects.create(
        party_org=good, problem="台账不全", opened_on=D(2022, 4, 20), due_on=D(2022, 6, 30)
    )
    make_instructor("物流指导员", g[4], phone="13800000001")
    busy = make_instructor("常走访指导员", g[3], phone="13800000002")
    Visit.objects.create(
        instructor=busy, organization=g[3], visited_on=D(2022, 5, 10), work_done="指导三会一课"
    )
    make_instructor("两边指导员", g[4], law, phone="13800000003")  # in both fields: counted once in the total
    make_instructor("超市指导员", make_org("超市二", members=0), phone="13800000004")
    return logistics, lawyers


def committees(*found):
    from liangxin.committee import figures

    return [quality.Committee(str(c.pk), c.name, c.party_org_id, figures.committee_field_q(c)) for c in found]


@pytest.mark.django_db
def test_each_committees_figures_equal_a_hand_count(city):
    logistics, lawyers = world()
    rows, total = quality.by_committee(
        committees(logistics, lawyers),
        PartyOrganization.objects.all(),
        Instructor.objects.all(),
        Rectification.objects.all(),
        as_of=MAY_31,
    )
    by_name = {r.name: r for r in rows}
    g, law = by_name["物流行业党委"], by_name["律师行业党委"]
    assert g.branches == 3 and g.ratings == {"good": 1, "fair": 0, "average": 0, "poor": 1, "": 1}
    assert g.term_overdue == 3  # the committee itself, 第二联合支部, 单独支部
    assert (g.rectification_open, g.rectification_overdue) == (2, 1)
    assert g.idle_instructors == 2  # 物流指导员, 两边指导员 (常走访指导员 visited in May)
    assert (law.branches, law.ratings["fair"], law.term_overdue, law.idle_instructors) == (1, 1, 0, 1)
    assert (total.branches, total.term_overdue, total.rectification_open) == (4, 3, 2)
    assert total.idle_instructors == 2  # 两边指导员 once; 超市指导员 serves no committee's field


@pytest.mark.django_db
def test_the_page_and_its_export_show_the_figures_of_the_day(city, office, client_for):
    world()
    client = client_for(office)
    page = client.get(URL, {"as_of": "2022-05-31"}).content.decode()
    assert "物流行业党委" in page and "律师行业党委" in page and "无行业党委的联合支部" not in page
    csv = b"".join(client.get(URL, {"as_of": "2022-05-31", "format": "csv"}).streaming_content).decode(
        "utf-8-sig"
    )
    lines = csv.splitlines()
    assert lines[0] == ",".join(COMMITTEE_HEADERS)
    assert lines[1].startswith("物流行业党委,3,1,0,0,1,1,3,2,1,2")
    assert lines[-1].startswith("合计,4,")
    before = client.get(URL, {"as_of": "2019-12-31"}).content.decode()
    assert "截至该日没有您可查看的行业（综合）党委" in before  # neither committee founded yet
    bad = client.get(URL, {"as_of": "2022-02-30"}).content.decode()
    assert "格式不对" in bad


@pytest.mark.django_db
def test_the_county_quality_page_links_to_it(city, office, client_for):
    page = client_for(office).get("/coverage/overview/quality/", {"as_of": "2022-05-31"}).content.decode()
    assert f'href="{URL}?as_of=2022-05-31"' in page


class TestCommitteeQualityIsScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        logistics = make_committee("物流行业党委", owner="交通运输局", industries=("G",))
        return ScopeCase(
            obj=logistics,
            insider=make_user("jiaotong", role="member_unit", member_unit="交通运输局"),
            outsider=make_user("sifa", role="member_unit", member_unit="司法局"),
            marker="物流行业党委",
            list_urls=[URL + "?as_of=2022-05-31"],
            export_urls=[URL + "?as_of=2022-05-31&format=csv"],
        )
