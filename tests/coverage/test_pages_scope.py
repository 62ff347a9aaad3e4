"""Every coverage page and export is limited to the user's jurisdiction (tests.scoping)."""

import datetime

import pytest

from liangxin.coverage.models import BranchInspection, Formation
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

TODAY = datetime.date.today().isoformat()


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
