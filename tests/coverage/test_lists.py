"""The blind-spot lists, suggestions, health list and inspections: filters, search, pagination,
empty states, configurable limits and masked phones."""

import datetime

import pytest
import time_machine

from liangxin.coverage import blindspots, health
from liangxin.coverage.models import BranchInspection, Formation, PartyOrganization
from tests.coverage.factories import credit_code, make_instructor, make_org, make_party_org, write_workbook
from tests.factories import make_user

D = datetime.date


@pytest.fixture
def county_user(city):
    return make_user("qx360802", role="county", region="360802")


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.django_db
class TestBlindSpotLists:
    def test_the_organization_lists_and_their_counts_follow_the_chosen_scope(self, city, office, client_for):
        make_org("规上大公司", members=4, above_scale=True)
        make_org("小微公司", members=4)
        client = client_for(office)
        everything = body(client.get("/coverage/overview/blindspots/should_build/?as_of=2022-05-31"))
        assert "规上大公司" in everything and "小微公司" in everything
        above = body(client.get("/coverage/overview/blindspots/should_build/?as_of=2022-05-31&scope=规上"))
        assert "规上大公司" in above and "小微公司" not in above
        export = body(client.get("/coverage/overview/blindspots/should_build/?scope=规上&format=csv"))
        assert "规上大公司" in export and "小微公司" not in export
        index = client.get("/coverage/overview/blindspots/?scope=规上")
        counts = {kind: count for kind, _, count in index.context["lists"]}
        assert counts["should_build"] == 1 and counts["above_scale"] == 1

    def test_above_scale_without_its_own_branch_lists_a_joint_covered_one_but_not_a_single(
        self, city, office
    ):
        joint = make_org("规上联建公司", members=1, above_scale=True)
        single = make_org("规上单建公司", members=5, above_scale=True)
        make_party_org("联合支部", joint, make_org("邻居", members=2), formation=Formation.JOINT)
        make_party_org("单建支部", single)
        from liangxin.registry.models import Organization

        rows = blindspots.organizations("above_scale", Organization.objects.all(), as_of=D(2022, 5, 31))
        assert [o.name for o in rows] == ["规上联建公司"]

    def test_the_instructor_load_limit_is_configurable(self, city, office, client_for, settings):
        orgs = [make_org(f"组织{i}") for i in range(3)]
        make_instructor("三家指导员", *orgs)
        client = client_for(office)
        assert "三家指导员" not in body(client.get("/coverage/overview/blindspots/overloaded/"))
        settings.LIANGXIN_INSTRUCTOR_MAX_ORGS = 2
        page = body(client.get("/coverage/overview/blindspots/overloaded/"))
        assert "三家指导员" in page and "超过 2 个" not in page  # the list, not the index
        assert "指导组织超过 2 个" in body(client.get("/coverage/overview/blindspots/"))

    def test_the_joint_branch_limits_are_configurable(self, city, settings):
        orgs = [make_org(f"组织{i}", members=1) for i in range(4)]
        make_party_org("四家联合支部", *orgs, formation=Formation.JOINT)
        as_of = D(2022, 5, 31)
        assert not blindspots.oversized_branches(PartyOrganization.objects.all(), as_of=as_of).exists()
        settings.LIANGXIN_JOINT_MAX_ORGS = 3
        assert [
            p.name for p in blindspots.oversized_branches(PartyOrganization.objects.all(), as_of=as_of)
        ] == ["四家联合支部"]
        settings.LIANGXIN_JOINT_MAX_ORGS = 5
        settings.LIANGXIN_JOINT_MAX_MEMBERS = 3
        assert (
            blindspots.oversized_branches(PartyOrganization.objects.all(), as_of=as_of).get().member_count
            == 4
        )

    def test_overloaded_instructors_phones_are_masked_for_a_sector_unit_in_the_page_and_export(
        self, city, office, county_user, client_for
    ):
        orgs = [
            make_org(f"组织{i}", region="360802001", industry_id="54", industry_section="G")
            for i in range(11)
        ]
        make_instructor("忙碌指导员", *orgs, phone="13912345678")
        unit = make_user("jt", role="member_unit", member_unit="交通运输局")
        for url in (
            "/coverage/overview/blindspots/overloaded/",
            "/coverage/overview/blindspots/overloaded/?format=csv",
        ):
            text = body(client_for(unit).get(url))
            assert "139****5678" in text and "13912345678" not in text, url
            assert "13912345678" in body(client_for(office).get(url)), url
            assert "13912345678" in body(client_for(county_user).get(url)), url

    def test_the_instructor_and_branch_lists_offer_only_the_date_filter(self, city, office, client_for):
        page = body(client_for(office).get("/coverage/overview/blindspots/overloaded/"))
        assert 'name="as_of"' in page and 'name="scope"' not in page and 'name="industry"' not in page
        page = body(client_for(office).get("/coverage/overview/blindspots/uncovered/"))
        assert 'name="scope"' in page and 'name="industry"' in page

    def test_empty_lists_say_so(self, city, office, client_for):
        client = client_for(office)
        assert "没有应建未建组织" in body(client.get("/coverage/overview/blindspots/should_build/"))
        assert "没有超负荷党建指导员" in body(client.get("/coverage/overview/blindspots/overloaded/"))
        assert "没有可组建联合党支部的建议" in body(client.get("/coverage/overview/suggestions/"))
        assert "没有党组织" in body(client.get("/coverage/inspections/health/"))

    def test_an_unknown_list_is_a_404(self, city, office, client_for):
        assert client_for(office).get("/coverage/overview/blindspots/nothing/").status_code == 404


@pytest.mark.django_db
class TestSuggestionsPage:
    def test_it_pages_twenty_proposals_at_a_time(self, city, office, client_for):
        for i in range(25):
            make_org(f"甲{i:02d}", members=2, region="360802001", industry_section="F")
            make_org(f"乙{i:02d}", members=1, region="360802001", industry_section="F")
        client = client_for(office)
        first = client.get("/coverage/overview/suggestions/?as_of=2022-05-31")
        total = first.context["page"].paginator.count
        # Largest first: 12 pairs of 2+2, one 2+1, then threes of 1+1+1.
        assert total == 12 + 1 + 8
        assert len(first.context["page"].object_list) == 20 and f"共 {total} 个建议" in body(first)
        second = client.get("/coverage/overview/suggestions/?as_of=2022-05-31&page=2")
        assert len(second.context["page"].object_list) == 1 and 'rel="prev"' in body(second)

    def test_it_follows_the_scope(self, city, office, client_for):
        make_org("规上甲", members=2, above_scale=True)
        make_org("规上乙", members=1, above_scale=True)
        make_org("普通丙", members=2)
        page = body(client_for(office).get("/coverage/overview/suggestions/?scope=规上"))
        assert "规上甲" in page and "普通丙" not in page


@pytest.mark.django_db
class TestHealthAndInspections:
    def _vacant(self, since):
        org = make_org(f"组织{since}", members=1)
        return make_party_org(
            f"支部{since}", org, formation=Formation.JOINT, secretary="", secretary_vacant_since=since
        )

    def test_a_secretary_is_flagged_only_when_vacant_for_more_than_three_months(self, city):
        self._vacant(D(2022, 2, 28))  # exactly three months before 31 May
        self._vacant(D(2022, 2, 27))
        rows = {
            p.name: p.secretary_vacant
            for p in health.branches(PartyOrganization.objects.all(), as_of=D(2022, 5, 31))
        }
        assert rows == {"支部2022-02-28": False, "支部2022-02-27": True}

    def test_the_health_list_searches_by_name(self, city, office, client_for):
        make_party_org("白鹭联合支部", make_org("甲", members=1), formation=Formation.JOINT)
        make_party_org("井冈联合支部", make_org("乙", members=1), formation=Formation.JOINT)
        page = body(client_for(office).get("/coverage/inspections/health/?q=白鹭"))
        assert "白鹭联合支部" in page and "井冈联合支部" not in page

    def test_inspections_filter_by_rating_and_date_and_name_a_bad_date(self, city, office, client_for):
        branch = make_party_org("联合支部", make_org("甲", members=1), formation=Formation.JOINT)
        BranchInspection.objects.create(
            party_org=branch, inspected_on=D(2022, 2, 1), rating="good", actions="春季"
        )
        BranchInspection.objects.create(
            party_org=branch, inspected_on=D(2022, 5, 1), rating="poor", actions="夏季"
        )
        client = client_for(office)
        page = body(client.get("/coverage/inspections/?rating=poor"))
        assert "夏季" in page and "春季" not in page
        page = body(client.get("/coverage/inspections/?from=2022-01-01&to=2022-03-31"))
        assert "春季" in page and "夏季" not in page
        page = body(client.get("/coverage/inspections/?from=2022-13-01"))
        assert "日期“2022-13-01”格式不对" in page and "春季" in page
        assert "没有符合条件的排查记录" in body(client.get("/coverage/inspections/?rating=fair"))


@pytest.mark.django_db
class TestInstructorSheetRejects:
    def test_an_unknown_code_rejects_the_row_naming_row_and_column(self, city, tmp_path):
        import io
        import json

        from django.core.management import call_command

        known = make_org("已有公司")
        unknown = credit_code(serial=4242)
        path = write_workbook(
            tmp_path / "i.xlsx",
            {
                "指导员": [
                    ["指导员姓名", "联系电话", "工作单位", "指导组织", "派驻日期"],
                    ["王指导", "13800138001", "", f"{known.credit_code}、{unknown}", "2022-03-01"],
                ]
            },
        )
        out = io.StringIO()
        call_command("import_data", path, "--json", stdout=out)
        sheet = json.loads(out.getvalue())["sheets"][0]
        assert sheet["rejected"] == 1 and sheet["created"] == 0
        error = sheet["errors"][0]
        assert error["row"] == 2 and error["column"] == "指导组织" and unknown in error["message"]


@pytest.mark.django_db
class TestPartyOrgFormChoices:
    def test_a_parent_committee_of_another_county_is_not_offered(self, city, county_user, client_for):
        make_party_org("青原区某行业党委", make_org("青原公司", region="360803001"), org_type="committee")
        make_party_org("吉州区某行业党委", make_org("吉州公司", region="360802001"), org_type="committee")
        page = body(client_for(county_user).get("/coverage/party-orgs/new/"))
        assert "吉州区某行业党委" in page and "青原区某行业党委" not in page


@pytest.mark.django_db
class TestInspectionDates:
    @time_machine.travel("2024-06-01 00:30 +0800", tick=False)
    def test_a_future_date_or_one_before_the_founding_is_refused_in_chinese(self, city, office, client_for):
        joint = make_party_org(
            "联合支部", make_org("甲", members=1), make_org("乙", members=2), formation=Formation.JOINT
        )
        client = client_for(office)
        future = "2024-06-02"  # tomorrow in Beijing, still "today" in UTC
        page = body(
            client.post(
                f"/coverage/party-orgs/{joint.pk}/inspect/", {"inspected_on": future, "rating": "good"}
            )
        )
        assert "排查日期不能晚于今天" in page
        page = body(
            client.post(
                f"/coverage/party-orgs/{joint.pk}/inspect/", {"inspected_on": "2019-05-01", "rating": "good"}
            )
        )
        assert "早于该党组织的成立日期（2020-01-01）" in page
        assert not joint.inspections.exists()
