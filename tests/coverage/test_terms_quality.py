"""换届 for every party organization (reminders 3 months and 1 month before, the overdue list) and
the quality view per county."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from liangxin.core.models import MemberUnit
from liangxin.coverage import quality, terms
from liangxin.coverage.models import BranchInspection, Formation, Instructor, PartyOrganization, Rectification
from liangxin.dispatch.models import Notice
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date
MAY_31 = D(2022, 5, 31)


def tick(day: D):
    with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC)):
        call_command("dispatch_tick", stdout=io.StringIO())


@pytest.mark.django_db
class TestTerms:
    def test_a_single_branch_is_reminded_three_months_and_one_month_before_once_each(self, city):
        make_party_org("甲公司党支部", make_org("甲公司", members=5), term_ends_on=D(2022, 9, 15))
        tick(D(2022, 6, 14))  # more than 3 months before
        assert not Notice.objects.filter(kind__startswith="term_").exists()
        tick(D(2022, 6, 15))
        tick(D(2022, 6, 20))
        three = Notice.objects.get(kind="term_3m")
        assert three.unit == MemberUnit.objects.get(name="吉州区委组织部")
        assert "2022年09月15日" in three.message and "3个月" in three.message
        tick(D(2022, 8, 15))
        tick(D(2022, 8, 30))
        assert Notice.objects.filter(kind="term_1m").count() == 1
        assert Notice.objects.filter(kind="term_3m").count() == 1

    def test_the_overdue_list_holds_every_kind_of_party_organization(self, city, office, client_for):
        make_party_org("单独届满党支部", make_org("甲", members=5), term_ends_on=D(2022, 3, 1))
        make_party_org(
            "联合届满党支部", make_org("乙", members=1), formation=Formation.JOINT, term_ends_on=D(2022, 4, 1)
        )
        make_party_org("未届满党支部", make_org("丙", members=5), term_ends_on=D(2022, 7, 1))
        make_party_org(
            "已撤销党支部", make_org("丁", members=5), term_ends_on=D(2022, 3, 1), dissolved_on=D(2022, 4, 1)
        )
        assert {p.name for p in terms.overdue(PartyOrganization.objects.all(), MAY_31)} == {
            "单独届满党支部",
            "联合届满党支部",
        }
        assert [p.name for p in terms.due_soon(PartyOrganization.objects.all(), MAY_31)] == ["未届满党支部"]
        with time_machine.travel(datetime.datetime(2022, 5, 31, 9, tzinfo=datetime.UTC)):
            page = client_for(office).get("/coverage/party-orgs/?term=overdue").content.decode()
            soon = client_for(office).get("/coverage/party-orgs/?term=due").content.decode()
        assert "单独届满党支部" in page and "联合届满党支部" in page and "未届满党支部" not in page
        assert "未届满党支部" in soon and "单独届满党支部" not in soon


@pytest.mark.django_db
class TestQuality:
    def test_per_county_figures_equal_a_hand_count(self, city):
        poor = make_party_org(
            "吉州差支部", make_org("甲", members=1), formation=Formation.JOINT, term_ends_on=D(2022, 1, 1)
        )
        good = make_party_org("吉州好支部", make_org("乙", members=1), formation=Formation.JOINT)
        make_party_org("吉州未查支部", make_org("丙", members=1), formation=Formation.JOINT)
        make_party_org(
            "青原单独支部", make_org("丁", region="360803001", members=5), term_ends_on=D(2022, 2, 1)
        )
        BranchInspection.objects.create(party_org=poor, inspected_on=D(2022, 4, 1), rating="poor")
        BranchInspection.objects.create(party_org=good, inspected_on=D(2022, 4, 1), rating="good")
        Rectification.objects.create(
            party_org=poor, problem="问题", opened_on=D(2022, 4, 1), due_on=D(2022, 5, 1)
        )
        make_instructor("无走访指导员", make_org("戊"))
        rows, total = quality.quality(
            PartyOrganization.objects.all(),
            Instructor.objects.all(),
            Rectification.objects.all(),
            as_of=MAY_31,
        )
        by_name = {r.name: r for r in rows}
        jizhou, qingyuan = by_name["吉州区"], by_name["青原区"]
        assert jizhou.branches == 3 and jizhou.ratings == {
            "good": 1,
            "fair": 0,
            "average": 0,
            "poor": 1,
            "": 1,
        }
        assert (jizhou.term_overdue, jizhou.rectification_open, jizhou.rectification_overdue) == (1, 1, 1)
        assert jizhou.idle_instructors == 1
        assert (qingyuan.branches, qingyuan.term_overdue) == (0, 1)
        assert (total.branches, total.term_overdue, total.idle_instructors) == (3, 2, 1)


class TestQualityIsScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        branch = make_party_org("吉州联合支部", make_org("甲", members=1), formation=Formation.JOINT)
        return ScopeCase(
            obj=branch,
            insider=make_user("qx360802", role="county", region="360802"),
            outsider=make_user("qx360803", role="county", region="360803"),
            marker="吉州区",
            list_urls=["/coverage/overview/quality/?as_of=2022-05-31"],
            export_urls=["/coverage/overview/quality/?as_of=2022-05-31&format=csv"],
        )


@pytest.mark.django_db
class TestDispatchedSecretary:
    def test_a_dispatched_secretary_is_recorded_with_the_unit_that_sent_them(self, city, office, client_for):
        org = make_org("古南甲公司", members=5)
        client = client_for(office)
        form = {"name": "古南甲党支部", "org_type": "branch", "formation": "single", "codes": org.credit_code,
                "status": "active", "secretary": "李书记", "secretary_dispatched": "on"}  # fmt: skip
        refused = client.post("/coverage/party-orgs/new/", form).content.decode()
        assert "派驻书记须填写派出单位" in refused and not PartyOrganization.objects.exists()
        client.post("/coverage/party-orgs/new/", {**form, "secretary_sent_by": "古南街道党工委"})
        party_org = PartyOrganization.objects.get()
        assert (party_org.secretary, party_org.secretary_dispatched, party_org.secretary_sent_by) == (
            "李书记", True, "古南街道党工委",
        )  # fmt: skip
        page = client.get(f"/coverage/party-orgs/{party_org.pk}/").content.decode()
        assert "派驻书记" in page and "派出单位：古南街道党工委" in page
