"""What a user notices on the coverage pages."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from liangxin.core.models import AuditLog
from liangxin.coverage import blindspots, health, suggestions
from liangxin.coverage.models import Assignment, CoverageLink, Formation, Instructor, PartyOrganization
from liangxin.registry.models import Organization
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user

D = datetime.date


@pytest.fixture
def county_user(city):
    return make_user("qx360802", role="county", region="360802")


@pytest.mark.django_db
class TestCoverageTablePage:
    @time_machine.travel("2022-06-10 10:00 +0800")
    def test_a_saved_party_organization_shows_at_once_although_the_table_is_cached(
        self, city, office, client_for
    ):
        from liangxin.coverage.services import save_party_org

        org = make_org("古南丙", region="360802001", members=4)
        client = client_for(office)
        before = client.get("/coverage/overview/").context["total"]
        again = client.get("/coverage/overview/").context["total"]  # from the cache
        assert before == again and before["single"] == 0
        save_party_org(
            None, actor=office, today=D(2022, 6, 10), organizations=[org], name="古南丙党支部",
            org_type="branch", formation=Formation.SINGLE, founded_on=D(2022, 6, 1),
        )  # fmt: skip
        after = client.get("/coverage/overview/").context["total"]
        assert after["single"] == 1 and after["change"] is not None

    @time_machine.travel("2022-06-10 10:00 +0800")
    def test_it_drills_down_from_city_to_county_to_township_with_the_change_since_last_month(
        self, city, office, client_for
    ):
        a = make_org("古南甲", region="360802001", members=4)
        make_org("古南乙", region="360802001")
        make_party_org("古南甲党支部", a, founded_on=D(2022, 6, 1))
        client = client_for(office)
        page = client.get("/coverage/overview/").content.decode()
        assert "吉安市“两个覆盖”情况" in page and "吉州区" in page and "region=360802" in page
        page = client.get("/coverage/overview/?region=360802").content.decode()
        assert "古南街道" in page and "/coverage/overview/organizations/?" in page
        # 50.0% now against 0.0% at the end of May: +50.0 points.
        assert "50.0%" in page and "+50.0" in page
        page = client.get("/coverage/overview/organizations/?region=360802001").content.decode()
        assert "古南甲" in page and "单独组建" in page and "未覆盖" in page

    def test_a_bad_date_or_scope_falls_back_with_a_chinese_warning(self, city, office, client_for):
        page = client_for(office).get("/coverage/overview/?as_of=2022-13-01&scope=big").content.decode()
        assert "日期“2022-13-01”格式不对" in page and "无法识别的统计范围“big”" in page

    def test_it_groups_by_industry_kind_and_tag(self, city, office, client_for):
        make_org("快递网点", tags=("快递",), industry_section="G")
        client = client_for(office)
        assert "快递" in client.get("/coverage/overview/?by=tag").content.decode()
        assert "非公企业" in client.get("/coverage/overview/?by=kind").content.decode()
        assert "交通运输" in client.get("/coverage/overview/?by=industry").content.decode()

    def test_the_export_is_a_workbook_and_is_audited(self, city, office, client_for):
        response = client_for(office).get("/coverage/overview/?format=xlsx")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert AuditLog.objects.filter(action="coverage.export").exists()

    def test_the_section_root_leads_to_the_table_keeping_the_filters(self, city, office, client_for):
        response = client_for(office).get("/coverage/?region=360802")
        assert response.status_code == 302 and response["Location"] == "/coverage/overview/?region=360802"

    def test_admin_roles_see_no_coverage(self, city, client_for):
        admin = make_user("sys", role="sysadmin")
        assert client_for(admin).get("/coverage/overview/").status_code == 403


@pytest.mark.django_db
class TestInstructorPhones:
    """An instructor's phone is shown in full to those who keep the record (the office, the
    county it works in) and masked for a member unit that sees it through its sector."""

    def test_the_keepers_see_the_phone_and_a_sector_unit_a_masked_one(
        self, city, office, county_user, client_for
    ):
        org = make_org("甲", industry_id="54", industry_section="G")
        instructor = make_instructor("王指导", org, phone="13912345678")
        assert "13912345678" in client_for(office).get("/coverage/instructors/").content.decode()
        assert (
            "13912345678"
            in client_for(county_user).get(f"/coverage/instructors/{instructor.pk}/").content.decode()
        )
        unit = make_user("jt", role="member_unit", member_unit="交通运输局")
        page = client_for(unit).get(f"/coverage/instructors/{instructor.pk}/").content.decode()
        assert "139****5678" in page and "13912345678" not in page
        export = b"".join(client_for(unit).get("/coverage/instructors/?format=csv").streaming_content)
        assert "139****5678" in export.decode("utf-8-sig") and "13912345678" not in export.decode("utf-8-sig")
        assert client_for(unit).get(f"/coverage/instructors/{instructor.pk}/edit/").status_code in (403, 404)


@pytest.mark.django_db
class TestPartyOrganizationForm:
    def test_it_creates_a_branch_covering_the_codes_and_audits_it(self, city, county_user, client_for):
        org = make_org("古南甲", region="360802001", members=3)
        response = client_for(county_user).post(
            "/coverage/party-orgs/new/",
            {"name": "古南甲党支部", "org_type": "branch", "formation": "single", "codes": org.credit_code.lower(),
             "status": "active", "secretary": "李书记", "founded_on": "2022-03-01"},
        )  # fmt: skip
        party_org = PartyOrganization.objects.get(name="古南甲党支部")
        assert response.status_code == 302
        assert party_org.county_code == "360802" and party_org.township_code == "360802001"
        assert list(party_org.organizations.all()) == [org]
        assert AuditLog.objects.get(action="coverage.party_org.created").after["organizations"] == [
            org.credit_code
        ]

    def test_an_unknown_or_foreign_code_is_refused_naming_it(self, city, county_user, client_for):
        foreign = make_org("青原公司", region="360803001")
        page = client_for(county_user).post(
            "/coverage/party-orgs/new/",
            {"name": "越权支部", "org_type": "branch", "formation": "single", "codes": foreign.credit_code,
             "status": "active"},
        ).content.decode()  # fmt: skip
        assert f"统一社会信用代码{foreign.credit_code}不在两新组织台账中" in page
        assert not PartyOrganization.objects.exists()

    @time_machine.travel("2022-09-01 10:00 +0800")
    def test_removing_an_organization_ends_its_link_today_so_history_stays(self, city, office, client_for):
        a, b, c = make_org("甲", members=1), make_org("乙", members=2), make_org("丙", members=1)
        party_org = make_party_org("联合支部", a, b, c, formation=Formation.JOINT)
        client_for(office).post(
            f"/coverage/party-orgs/{party_org.pk}/edit/",
            {"name": "联合支部", "org_type": "branch", "formation": "joint",
             "codes": f"{a.credit_code}\n{c.credit_code}", "status": "active"},
        )  # fmt: skip
        assert CoverageLink.objects.get(organization=b).ends_on == D(2022, 9, 1)
        assert CoverageLink.objects.get(organization=a).ends_on is None


@pytest.mark.django_db
class TestSuggestionsAndAcceptance:
    def test_it_groups_small_organizations_of_one_township_and_industry_up_to_three_members(self, city):
        for name, members in [("甲", 2), ("乙", 1), ("丙", 1), ("丁", 1), ("戊", 1)]:
            make_org(name, region="360802001", members=members, industry_section="F")
        make_org("别处", region="360802002", members=2, industry_section="F")
        proposals = suggestions.suggest(Organization.objects.all(), as_of=D(2022, 5, 31))
        assert [sorted(o["name"] for o in p.organizations) for p in proposals] == [
            ["乙", "甲"],
            ["丁", "丙", "戊"],
        ]
        assert all(p.members >= 3 and len(p.organizations) <= 5 for p in proposals)
        assert proposals[0].label == "古南街道批发和零售业"

    def test_the_office_accepts_a_proposal_and_the_branch_covers_them(self, city, office, client_for):
        a, b = make_org("甲", members=2), make_org("乙", members=1)
        response = client_for(office).post(
            "/coverage/overview/suggestions/accept/", {"organization": [a.pk, b.pk]}
        )
        party_org = PartyOrganization.objects.get()
        assert response.status_code == 302 and party_org.formation == Formation.JOINT
        assert party_org.name == "古南街道非公企业联合党支部"
        assert set(party_org.organizations.all()) == {a, b}
        assert AuditLog.objects.filter(
            action="coverage.party_org.created", object_id=str(party_org.pk)
        ).exists()

    def test_a_proposal_that_no_longer_holds_is_refused_in_chinese(self, city, office):
        a, b = make_org("甲", members=2), make_org("乙", members=1)
        make_party_org("乙党支部", b)
        with pytest.raises(ValidationError, match="已有党组织覆盖"):
            suggestions.accept(
                [a.pk, b.pk], actor=office, visible_orgs=Organization.objects.all(), as_of=D(2022, 5, 31),
                today=D(2022, 5, 31),
            )  # fmt: skip

    def test_only_the_office_may_accept(self, city, county_user, client_for):
        a, b = make_org("甲", members=2), make_org("乙", members=1)
        response = client_for(county_user).post(
            "/coverage/overview/suggestions/accept/", {"organization": [a.pk, b.pk]}
        )
        assert response.status_code == 403


@pytest.mark.django_db
class TestBlindSpotsAndHealth:
    def test_instructors_over_their_load_and_oversized_joint_branches(self, city):
        orgs = [make_org(f"组织{i}", members=10) for i in range(11)]
        make_instructor("忙碌指导员", *orgs)
        make_instructor("轻松指导员", *orgs[:2], phone="13700000000")
        make_party_org("大联合支部", *orgs[:6], formation=Formation.JOINT)
        make_party_org("党员多支部", *orgs[6:8], formation=Formation.JOINT)
        as_of = D(2022, 5, 31)
        assert [i.name for i in blindspots.overloaded_instructors(Instructor.objects.all(), as_of=as_of)] == [
            "忙碌指导员"
        ]
        oversized = blindspots.oversized_branches(PartyOrganization.objects.all(), as_of=as_of)
        assert {p.name: (p.org_count, p.member_count) for p in oversized} == {"大联合支部": (6, 60)}

    def test_an_ended_assignment_does_not_count_in_the_load(self, city):
        orgs = [make_org(f"组织{i}") for i in range(11)]
        make_instructor("指导员", *orgs)
        Assignment.objects.filter(organization=orgs[0]).update(ends_on=D(2022, 1, 1))
        assert not blindspots.overloaded_instructors(Instructor.objects.all(), as_of=D(2022, 5, 31)).exists()

    def test_the_health_list_flags_without_judging(self, city):
        ok_org = make_org("甲", members=1)
        closed = make_org("乙", members=1, status="revoked")
        healthy = make_party_org("健康支部", ok_org, formation=Formation.JOINT, secretary="张",
                                 term_ends_on=D(2024, 1, 1))  # fmt: skip
        make_party_org("问题支部", closed, formation=Formation.JOINT, secretary="", secretary_vacant_since=D(2022, 1, 1),
                       term_ends_on=D(2022, 3, 1))  # fmt: skip
        BranchInspection = healthy.inspections.model
        BranchInspection.objects.create(
            party_org=healthy, inspected_on=D(2022, 4, 20), rating="good", meetings_held=True
        )
        rows = {p.name: p for p in health.branches(PartyOrganization.objects.all(), as_of=D(2022, 5, 31))}
        flags = {name: [h.code for h in health.hits(p, as_of=D(2022, 5, 31))] for name, p in rows.items()}
        assert flags == {
            "健康支部": [],
            "问题支部": ["not_inspected", "secretary_vacant", "term_overdue", "closed_org"],
        }
        flagged = health.branches(PartyOrganization.objects.all(), as_of=D(2022, 5, 31), flagged_only=True)
        assert [p.name for p in flagged] == ["问题支部"]

    def test_an_inspection_is_only_for_a_joint_branch(self, city, office, client_for):
        single = make_party_org("单独支部", make_org("甲", members=3))
        response = client_for(office).post(
            f"/coverage/party-orgs/{single.pk}/inspect/", {"inspected_on": "2022-05-01", "rating": "good"}
        )
        assert "不是联合党支部" in response.content.decode()

    def test_an_inspection_is_recorded_and_audited(self, city, office, client_for):
        joint = make_party_org(
            "联合支部", make_org("甲", members=1), make_org("乙", members=2), formation=Formation.JOINT
        )
        client_for(office).post(
            f"/coverage/party-orgs/{joint.pk}/inspect/",
            {"inspected_on": "2022-05-01", "rating": "fair", "meetings_held": "on", "actions": "补选书记"},
        )
        inspection = joint.inspections.get()
        assert inspection.meetings_held and inspection.rating == "fair"
        assert AuditLog.objects.filter(action="coverage.inspection.created").exists()
        assert "补选书记" in client_for(office).get(f"/coverage/party-orgs/{joint.pk}/").content.decode()


@pytest.mark.django_db
class TestIndustryCommittees:
    def test_the_office_sets_up_an_industry_committee_owned_by_a_member_unit(self, city, office, client_for):
        from liangxin.core.models import MemberUnit

        unit = MemberUnit.objects.get(name="邮政管理局")
        org = make_org("快递公司", members=3)
        client_for(office).post(
            "/coverage/party-orgs/new/",
            {"name": "快递行业党委", "org_type": "committee", "formation": "single", "codes": org.credit_code,
             "status": "active", "owner_unit": unit.pk},
        )  # fmt: skip
        committee = PartyOrganization.objects.get(name="快递行业党委")
        assert committee.is_industry_committee and committee.owner_unit == unit
        member = make_user("youzheng", role="member_unit", member_unit="邮政管理局")
        assert "快递行业党委" in client_for(member).get("/coverage/party-orgs/").content.decode()

    def test_a_member_unit_creating_a_party_organization_owns_it(self, city, client_for):
        member = make_user("youzheng", role="member_unit", member_unit="邮政管理局")
        client_for(member).post(
            "/coverage/party-orgs/new/",
            {"name": "寄递行业党委", "org_type": "committee", "formation": "single", "status": "active"},
        )
        assert PartyOrganization.objects.get(name="寄递行业党委").owner_unit.name == "邮政管理局"
