"""An instructor (党建指导员) sees the organizations currently assigned to them, the party
organizations covering those, their inspections and their own instructor record — nothing else,
whatever region their account names (tests.scoping)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from liangxin.core.models import AuditLog, Region
from liangxin.coverage.models import Assignment, BranchInspection, Formation, Instructor, PartyOrganization
from liangxin.registry.models import Organization
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date


@pytest.fixture
def insider(city):
    # The account's region is another county: it must not matter.
    return make_user("zdy1", role="instructor", region="360803")


@pytest.fixture
def outsider(city):
    # Same county as the organizations: a region grants an instructor nothing.
    return make_user("zdy2", role="instructor", region="360802")


@pytest.fixture
def assigned(insider, outsider):
    """The insider guides 古南指导甲公司; the outsider guides another organization next door."""
    org = make_org("古南指导甲公司", region="360802001", members=4)
    make_instructor("甲指导员", org, phone="13911112222", user=insider)
    neighbour = make_org("古南邻居公司", region="360802001", members=4)
    make_instructor("乙指导员", neighbour, phone="13933334444", user=outsider)
    return org


class TestAssignedOrganizations(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider, assigned):
        return ScopeCase(
            obj=assigned,
            insider=insider,
            outsider=outsider,
            marker="古南指导甲公司",
            detail_urls=[reverse("registry:organization_detail", args=[assigned.pk])],
            list_urls=[
                reverse("registry:organizations"),
                "/coverage/overview/organizations/?region=360802001",
                "/coverage/overview/organizations/",
                "/coverage/overview/organizations/?status=work",
                "/coverage/overview/blindspots/should_build/",
            ],
            export_urls=[
                reverse("registry:organization_export", args=["csv"]),
                "/coverage/overview/organizations/?format=csv",
                "/coverage/overview/blindspots/should_build/?format=csv",
            ],
        )


class TestCoveringPartyOrganization(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider, assigned):
        other = make_org("古南联合乙公司", region="360802001", members=1)
        party_org = make_party_org(
            "古南指导联合党支部",
            assigned,
            other,
            formation=Formation.JOINT,
            secretary="",
            term_ends_on=D(2020, 6, 1),
        )
        BranchInspection.objects.create(party_org=party_org, inspected_on=D(2021, 5, 1), rating="fair")
        pk = party_org.pk
        return ScopeCase(
            obj=party_org,
            insider=insider,
            outsider=outsider,
            marker="古南指导联合党支部",
            detail_urls=[f"/coverage/party-orgs/{pk}/"],
            list_urls=["/coverage/party-orgs/", "/coverage/inspections/", "/coverage/inspections/health/"],
            export_urls=["/coverage/party-orgs/?format=csv", "/coverage/inspections/health/?format=csv"],
            change_urls=[f"/coverage/party-orgs/{pk}/edit/", f"/coverage/party-orgs/{pk}/inspect/"],
        )


class TestOwnInstructorRecord(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, insider, outsider, assigned):
        instructor = Instructor.objects.get(user=insider)
        pk = instructor.pk
        return ScopeCase(
            obj=instructor,
            insider=insider,
            outsider=outsider,
            marker="甲指导员",
            detail_urls=[f"/coverage/instructors/{pk}/"],
            list_urls=["/coverage/instructors/"],
            export_urls=["/coverage/instructors/?format=csv"],
            change_urls=[f"/coverage/instructors/{pk}/edit/"],
        )


@pytest.mark.django_db
class TestWhatAnInstructorSees:
    def test_exactly_the_assigned_organizations_and_their_party_organizations(self, insider, assigned):
        other = make_org("古南联合乙公司", region="360802001", members=1)
        make_party_org("古南指导联合党支部", assigned, other, formation=Formation.JOINT)
        make_party_org("邻居党支部", Organization.objects.get(name="古南邻居公司"))
        assert list(Organization.objects.visible_to(insider).values_list("name", flat=True)) == [
            "古南指导甲公司"
        ]
        assert [p.name for p in PartyOrganization.objects.visible_to(insider)] == ["古南指导联合党支部"]
        assert [i.name for i in Instructor.objects.visible_to(insider)] == ["甲指导员"]

    def test_the_regions_of_their_organizations_only(self, insider, assigned):
        codes = set(Region.objects.visible_to(insider).values_list("code", flat=True))
        assert codes == {"360800", "360802", "360802001"}

    @time_machine.travel("2024-06-01 00:30 +0800", tick=False)
    def test_an_ended_assignment_no_longer_grants_access(self, insider, assigned, client_for):
        Assignment.objects.filter(organization=assigned).update(ends_on=datetime.date(2024, 6, 1))
        assert not Organization.objects.visible_to(insider).exists()
        client = client_for(insider)
        assert client.get(reverse("registry:organization_detail", args=[assigned.pk])).status_code == 404
        page = client.get(
            f"/coverage/instructors/{Instructor.objects.get(user=insider).pk}/"
        ).content.decode()
        assert "古南指导甲公司" not in page and "没有指导组织" in page

    @time_machine.travel("2024-06-01 00:30 +0800", tick=False)
    def test_an_assignment_that_has_not_started_grants_nothing_yet(self, insider, assigned):
        Assignment.objects.filter(organization=assigned).update(starts_on=datetime.date(2024, 6, 2))
        assert not Organization.objects.visible_to(insider).exists()

    def test_a_dissolved_party_organization_is_no_longer_shown(self, insider, assigned):
        make_party_org("古南指导甲党支部", assigned, dissolved_on=D(2021, 1, 1))
        assert not PartyOrganization.objects.visible_to(insider).exists()

    def test_nothing_of_other_domains(self, insider, assigned):
        from liangxin.dispatch.models import Report, Task
        from liangxin.registry.models import FollowUp

        FollowUp.objects.create(organization=assigned, kind="new", due_on="2030-01-01")
        for model in (FollowUp, Task, Report):
            assert not model.objects.visible_to(insider).exists()

    @time_machine.travel("2022-06-10 10:00 +0800")
    def test_the_coverage_table_counts_only_their_organizations_and_links_only_their_county(
        self, insider, assigned, client_for
    ):
        client = client_for(insider)
        page = client.get("/coverage/overview/?region=360800&as_of=2022-06-10").content.decode()
        assert "?as_of=2022-06-10&amp;scope=all&amp;region=360802" in page  # 吉州区: their county, linked
        assert "region=360803" not in page  # 青原区 is named, not linked
        csv = b"".join(client.get("/coverage/overview/?region=360800&format=csv").streaming_content).decode(
            "utf-8-sig"
        )
        total = csv.strip().splitlines()[-1].split(",")
        assert total[1] == "1"  # 在册组织: their one organization
        assert client.get("/coverage/overview/?region=360803").status_code == 404

    def test_an_account_without_an_instructor_record_sees_nothing_and_is_told_why(self, city, client_for):
        lonely = make_user("zdy3", role="instructor", region="360802")
        make_org("古南某公司", region="360802001", members=4)
        assert not Organization.objects.visible_to(lonely).exists()
        page = client_for(lonely).get("/coverage/instructors/").content.decode()
        assert "尚未关联党建指导员信息" in page and "zdy3" in page


@pytest.mark.django_db
class TestLinkingAnAccount:
    def _post(self, client, instructor, account, **extra):
        data = {"name": instructor.name, "phone": instructor.phone, "workplace": "", "account": account}
        data.update(extra)
        return client.post(f"/coverage/instructors/{instructor.pk}/edit/", data)

    def test_the_office_links_an_instructor_account_shown_on_the_detail_page_and_audited(
        self, city, office, client_for
    ):
        account = make_user("zdy9", role="instructor")
        org = make_org("丙公司")
        instructor = make_instructor("丙指导员", org, phone="13955556666")
        client = client_for(office)
        assert self._post(client, instructor, "zdy9", codes=org.credit_code).status_code == 302
        instructor.refresh_from_db()
        assert instructor.user == account
        assert "zdy9" in client.get(f"/coverage/instructors/{instructor.pk}/").content.decode()
        log = AuditLog.objects.get(action="coverage.instructor.updated", object_id=str(instructor.pk))
        assert log.after["user"] == "zdy9"
        # The account now sees the organization.
        assert list(Organization.objects.visible_to(account).values_list("name", flat=True)) == ["丙公司"]

    def test_an_unknown_a_wrong_role_or_an_already_linked_account_is_refused_alike(
        self, city, office, client_for
    ):
        """The form must not tell whether a username exists, its role, or who holds it."""
        make_user("qx", role="county", region="360802")
        taken = make_user("zdy9", role="instructor")
        make_instructor("已关联指导员", phone="13900000001", user=taken)
        instructor = make_instructor("丙指导员", phone="13955556666")
        client = client_for(office)
        messages = set()
        for username in ("nobody", "qx", "zdy9"):
            page = self._post(client, instructor, username).content.decode()
            assert "不能关联：只能关联尚未关联其他指导员的“党建指导员”账号" in page
            assert "县（市、区）" not in page.split("errorlist")[-1][:300] and "已关联指导员" not in page
            messages.add(page.split(f"账号“{username}”不能关联")[1][:80])
        assert len(messages) == 1
        instructor.refresh_from_db()
        assert instructor.user is None

    @time_machine.travel("2024-06-01 00:30 +0800", tick=False)
    def test_the_demo_instructor_account_is_linked_to_a_record(self, city):
        from io import StringIO

        from django.core.management import call_command

        call_command("demo", stdout=StringIO())
        from liangxin.accounts.models import User

        user = User.objects.get(username="zhidaoyuan")
        mine = Instructor.objects.get(user=user)
        visible = set(Organization.objects.visible_to(user).values_list("pk", flat=True))
        today = datetime.date(2024, 6, 1)
        assigned_now = {
            a.organization_id
            for a in mine.assignments.all()
            if a.starts_on <= today and (a.ends_on is None or a.ends_on > today)
        }
        assert visible == assigned_now and visible
