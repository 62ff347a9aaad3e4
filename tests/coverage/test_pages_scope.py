"""Every coverage page and export is limited to the user's jurisdiction (tests.scoping)."""

import datetime

import pytest

from liangxin.coverage.models import BranchInspection, Formation
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase


@pytest.fixture
def insider(city):
    return make_user("qx360802", role="county", region="360802")


@pytest.fixture
def outsider(city):
    return make_user("qx360803", role="county", region="360803")


class TestOrganizationsWithStatus(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        org = make_org("古南应建未建测试公司", region="360802001", members=4, above_scale=True)
        return ScopeCase(
            obj=org,
            insider=insider,
            outsider=outsider,
            marker="古南应建未建测试公司",
            detail_urls=["/coverage/overview/organizations/?region=360802001"],
            list_urls=[
                "/coverage/overview/organizations/",
                "/coverage/overview/organizations/?status=should_build",
                "/coverage/overview/blindspots/should_build/",
                "/coverage/overview/blindspots/uncovered/",
                "/coverage/overview/blindspots/above_scale/",
            ],
            export_urls=[
                "/coverage/overview/organizations/?format=csv",
                "/coverage/overview/blindspots/should_build/?format=csv",
                "/coverage/overview/blindspots/uncovered/?format=csv",
                "/coverage/overview/blindspots/above_scale/?format=csv",
            ],
        )

    def test_the_blind_spot_counts_include_it_for_the_insider_only(self, scope_case, client_for):
        def counts(user):
            response = client_for(user).get("/coverage/overview/blindspots/")
            return {kind: count for kind, _, count in response.context["lists"]}

        assert counts(scope_case.insider)["should_build"] == 1
        assert counts(scope_case.insider)["above_scale"] == 1
        assert set(counts(scope_case.outsider).values()) == {0}


class TestCoverageTable(OutsiderGetsNothing):
    """The county's table names its townships; another county's user gets 404 for it."""

    @pytest.fixture
    def scope_case(self, insider, outsider):
        org = make_org("古南公司", region="360802001", members=4)
        return ScopeCase(
            obj=org,
            insider=insider,
            outsider=outsider,
            marker="古南街道",
            detail_urls=["/coverage/overview/?region=360802", "/coverage/overview/?region=360802&format=csv"],
            list_urls=["/coverage/overview/"],
            export_urls=["/coverage/overview/?format=csv"],
        )


class TestSuggestions(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        org = make_org("联建候选甲公司", region="360802001", members=2)
        make_org("联建候选乙公司", region="360802001", members=1)
        return ScopeCase(
            obj=org,
            insider=insider,
            outsider=outsider,
            marker="联建候选甲公司",
            list_urls=["/coverage/overview/suggestions/"],
        )


class TestPartyOrganizationPages(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        orgs = [make_org(f"联合{i}公司", region="360802001", members=12) for i in range(6)]
        party_org = make_party_org("古南街道测试联合党支部", *orgs, formation=Formation.JOINT)
        BranchInspection.objects.create(
            party_org=party_org, inspected_on=datetime.date(2022, 5, 1), rating="good"
        )
        pk = party_org.pk
        return ScopeCase(
            obj=party_org,
            insider=insider,
            outsider=outsider,
            marker="古南街道测试联合党支部",
            detail_urls=[
                f"/coverage/party-orgs/{pk}/",
                f"/coverage/party-orgs/{pk}/edit/",
                f"/coverage/party-orgs/{pk}/inspect/",
            ],
            list_urls=[
                "/coverage/party-orgs/",
                "/coverage/inspections/health/",
                "/coverage/inspections/",
                "/coverage/overview/blindspots/oversized/",
            ],
            export_urls=[
                "/coverage/party-orgs/?format=csv",
                "/coverage/inspections/health/?format=csv",
                "/coverage/overview/blindspots/oversized/?format=csv",
            ],
            change_urls=[f"/coverage/party-orgs/{pk}/edit/", f"/coverage/party-orgs/{pk}/inspect/"],
        )


class TestInstructorPages(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider):
        orgs = [make_org(f"指导{i}公司", region="360802001") for i in range(11)]
        instructor = make_instructor("古南测试指导员", *orgs, phone="13900139000")
        pk = instructor.pk
        return ScopeCase(
            obj=instructor,
            insider=insider,
            outsider=outsider,
            marker="古南测试指导员",
            detail_urls=[f"/coverage/instructors/{pk}/", f"/coverage/instructors/{pk}/edit/"],
            list_urls=["/coverage/instructors/", "/coverage/overview/blindspots/overloaded/"],
            export_urls=[
                "/coverage/instructors/?format=csv",
                "/coverage/overview/blindspots/overloaded/?format=csv",
            ],
            change_urls=[f"/coverage/instructors/{pk}/edit/"],
        )


@pytest.mark.django_db
class TestRowsReachingIntoAnotherCounty:
    """A joint branch or an instructor may reach organizations of two counties: a county user
    editing it sees and changes only its own county's, and saving keeps the others."""

    def test_the_instructor_form_hides_and_keeps_the_other_countys_organizations(self, insider, client_for):
        from liangxin.coverage.models import Assignment

        mine = make_org("古南指导甲", region="360802001")
        theirs = make_org("青原指导乙", region="360803001")
        instructor = make_instructor("跨县指导员", mine, theirs)
        client = client_for(insider)
        page = client.get(f"/coverage/instructors/{instructor.pk}/edit/").content.decode()
        assert mine.credit_code in page and theirs.credit_code not in page
        assert "另有 1 个指导组织不在您的管辖范围内" in page
        response = client.post(
            f"/coverage/instructors/{instructor.pk}/edit/",
            {"name": "跨县指导员", "phone": "13800138000", "workplace": "", "codes": mine.credit_code},
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
        open_rows = Assignment.objects.filter(instructor=instructor, ends_on__isnull=True)
        assert set(open_rows.values_list("organization__name", flat=True)) == {"古南指导甲", "青原指导乙"}
        assert client.get(response.url).status_code == 200  # still the county's instructor

    def test_the_party_organization_form_hides_and_keeps_the_other_countys_organizations(
        self, insider, client_for
    ):
        from liangxin.coverage.models import CoverageLink

        mine = make_org("古南联合甲", region="360802001", members=1)
        mine2 = make_org("古南联合丙", region="360802001", members=1)
        theirs = make_org("青原联合乙", region="360803001", members=1)
        branch = make_party_org("跨县联合支部", mine, mine2, theirs, formation=Formation.JOINT)
        client = client_for(insider)
        page = client.get(f"/coverage/party-orgs/{branch.pk}/edit/").content.decode()
        assert mine.credit_code in page and theirs.credit_code not in page
        assert "另有 1 个覆盖组织不在您的管辖范围内" in page
        response = client.post(
            f"/coverage/party-orgs/{branch.pk}/edit/",
            {"name": "跨县联合支部", "org_type": "branch", "formation": "joint", "codes": mine.credit_code,
             "status": "active"},
        )  # fmt: skip
        assert response.status_code == 302, response.content.decode()[-2000:]
        still = CoverageLink.objects.filter(party_org=branch, ends_on__isnull=True)
        assert set(still.values_list("organization__name", flat=True)) == {"古南联合甲", "青原联合乙"}
        assert client.get(response.url).status_code == 200  # still the county's branch


class TestLedgerExport(OutsiderGetsNothing):
    """The combined 摸排表 export: the organization and its party organization, insiders only."""

    @pytest.fixture
    def scope_case(self, insider, outsider):
        org = make_org("摸排导出测试公司", region="360802001", members=4)
        make_party_org("摸排导出测试公司党支部", org)
        return ScopeCase(
            obj=org,
            insider=insider,
            outsider=outsider,
            marker="摸排导出测试公司党支部",
            detail_urls=["/coverage/ledger/export/?region=360802&format=csv"],
            export_urls=["/coverage/ledger/export/?format=csv"],
        )
