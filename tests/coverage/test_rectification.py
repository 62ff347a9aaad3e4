"""整改 with due dates: opened, closed with what was done, chased once by `dispatch_tick` when
overdue (closing first means no chase), counted per county; the pages and their scope."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from liangxin.core.models import AuditLog, MemberUnit
from liangxin.coverage import rectification
from liangxin.coverage.models import Formation, Rectification
from liangxin.dispatch.models import Notice
from tests.coverage.factories import make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date


def at(day: D):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, tzinfo=datetime.UTC))


def joint(name="古南街道第1联合党支部", region="360802001", **fields):
    return make_party_org(name, make_org(f"{name}公司", region=region, members=1), formation=Formation.JOINT,
                          **fields)  # fmt: skip


APRIL_26, MAY_15 = D(2022, 4, 26), D(2022, 5, 15)


def fix(party_org, problem="三会一课未开展", opened=APRIL_26, due=MAY_15, **fields):
    return Rectification.objects.create(
        party_org=party_org, problem=problem, opened_on=opened, due_on=due, **fields
    )


def tick(day: D):
    with at(day):
        call_command("dispatch_tick", stdout=io.StringIO())


@pytest.mark.django_db
class TestChasing:
    def test_an_overdue_rectification_is_chased_once_to_the_countys_organization_department(self, city):
        item = fix(joint())
        tick(D(2022, 5, 15))  # due today: not yet
        assert not Notice.objects.filter(kind="rectify_overdue").exists()
        tick(D(2022, 5, 16))
        tick(D(2022, 5, 16))
        tick(D(2022, 5, 20))
        notice = Notice.objects.get(kind="rectify_overdue")
        assert notice.unit == MemberUnit.objects.get(name="吉州区委组织部")
        assert "古南街道第1联合党支部" in notice.message and "05月15日" in notice.message
        assert notice.sent_at is not None and notice.kind_label == "整改逾期"
        assert rectification.overdue(Rectification.objects.all(), D(2022, 5, 20)).get() == item

    def test_closing_it_stops_the_chase_and_the_count(self, city, office):
        item = fix(joint())
        with at(D(2022, 5, 14)):
            rectification.close_rectification(item, actor=office, closed_on=D(2022, 5, 14), outcome="已补开")
        tick(D(2022, 5, 16))
        assert not Notice.objects.filter(kind="rectify_overdue").exists()
        counts = {
            c.name: c for c in rectification.county_counts(Rectification.objects.all(), as_of=D(2022, 5, 31))
        }
        assert (counts["吉州区"].open, counts["吉州区"].overdue, counts["吉州区"].closed) == (0, 0, 1)

    def test_one_chased_and_then_closed_is_counted_closed_and_not_chased_again(self, city, office):
        item = fix(joint())
        tick(D(2022, 5, 16))
        counts = rectification.county_counts(Rectification.objects.all(), as_of=D(2022, 5, 16))
        assert [(c.open, c.overdue, c.closed) for c in counts if c.name == "吉州区"] == [(1, 1, 0)]
        with at(D(2022, 5, 18)):
            rectification.close_rectification(item, actor=office, closed_on=D(2022, 5, 18), outcome="已补开")
        Rectification.objects.filter(pk=item.pk).update(due_on=D(2022, 5, 17))  # even a new due date
        tick(D(2022, 5, 20))
        tick(D(2022, 6, 20))
        assert Notice.objects.filter(kind="rectify_overdue").count() == 1
        counts = rectification.county_counts(Rectification.objects.all(), as_of=D(2022, 5, 31))
        assert [(c.open, c.overdue, c.closed) for c in counts if c.name == "吉州区"] == [(0, 0, 1)]

    def test_a_later_due_date_is_chased_again_once_it_passes(self, city):
        item = fix(joint())
        tick(D(2022, 5, 16))
        Rectification.objects.filter(pk=item.pk).update(due_on=D(2022, 6, 30))
        tick(D(2022, 6, 1))
        assert Notice.objects.filter(kind="rectify_overdue").count() == 1
        tick(D(2022, 7, 1))
        assert Notice.objects.filter(kind="rectify_overdue").count() == 2

    def test_an_industry_committees_unit_is_chased_for_its_own(self, city):
        unit = MemberUnit.objects.get(name="邮政管理局")
        fix(joint("快递行业联合党支部", owner_unit=unit))
        tick(D(2022, 5, 16))
        assert Notice.objects.get(kind="rectify_overdue").unit == unit

    def test_counts_per_county_as_of_a_day(self, city):
        fix(joint(), due=D(2022, 5, 15))
        fix(joint("古南街道第2联合党支部"), due=D(2022, 6, 15))
        fix(
            joint("青原联合党支部", region="360803001"),
            due=D(2022, 5, 1),
            closed_on=D(2022, 6, 2),
            outcome="好",
        )
        counts = {c.name: (c.open, c.overdue, c.closed) for c in rectification.county_counts(
            Rectification.objects.all(), as_of=D(2022, 5, 31))}  # fmt: skip
        assert counts["吉州区"] == (2, 1, 0) and counts["青原区"] == (1, 1, 0)
        later = {c.name: (c.open, c.overdue, c.closed) for c in rectification.county_counts(
            Rectification.objects.all(), as_of=D(2022, 6, 30))}  # fmt: skip
        assert later["吉州区"] == (2, 2, 0) and later["青原区"] == (0, 0, 1)


@pytest.mark.django_db
class TestPages:
    def test_it_is_opened_from_the_party_organization_and_closed_with_what_was_done(
        self, city, office, client_for
    ):
        branch = joint()
        client = client_for(office)
        with at(D(2022, 6, 1)):
            response = client.post(
                f"/coverage/party-orgs/{branch.pk}/rectify/",
                {"problem": "党费未按时收缴", "measure": "补缴", "responsible": "王书记",
                 "opened_on": "2022-05-01", "due_on": "2022-05-20"},
            )  # fmt: skip
            assert response.status_code == 302
            item = Rectification.objects.get()
            assert (item.due_on, item.responsible) == (D(2022, 5, 20), "王书记")
            page = client.get("/coverage/rectifications/?state=overdue").content.decode()
            assert "党费未按时收缴" in page and "已逾期" in page
            assert "党费未按时收缴" in client.get(f"/coverage/party-orgs/{branch.pk}/").content.decode()
            refused = client.post(f"/coverage/rectifications/{item.pk}/close/", {"closed_on": "2022-05-25"})
            assert (
                "请填写整改情况" in refused.content.decode() or "这个字段是必填项" in refused.content.decode()
            )
            early = client.post(
                f"/coverage/rectifications/{item.pk}/close/", {"closed_on": "2022-04-01", "outcome": "已补缴"}
            )
            assert "完成日期早于提出日期" in early.content.decode()
            client.post(
                f"/coverage/rectifications/{item.pk}/close/", {"closed_on": "2022-05-25", "outcome": "已补缴"}
            )
            item.refresh_from_db()
            assert (item.closed_on, item.outcome) == (D(2022, 5, 25), "已补缴")
            assert (
                "党费未按时收缴" not in client.get("/coverage/rectifications/?state=overdue").content.decode()
            )
            assert "已销号" in client.get("/coverage/rectifications/?state=closed").content.decode()
            again = client.post(
                f"/coverage/rectifications/{item.pk}/close/", {"closed_on": "2022-05-26", "outcome": "再次"}
            )
            assert again.status_code == 200 and Rectification.objects.get().outcome == "已补缴"
        actions = set(AuditLog.objects.values_list("action", flat=True))
        assert {"coverage.rectification.opened", "coverage.rectification.closed"} <= actions

    def test_a_due_date_before_it_was_raised_is_refused(self, city, office, client_for):
        branch = joint()
        with at(D(2022, 6, 1)):
            response = client_for(office).post(
                f"/coverage/party-orgs/{branch.pk}/rectify/",
                {"problem": "问题", "opened_on": "2022-05-01", "due_on": "2022-04-20"},
            )
        assert "早于提出日期" in response.content.decode() and not Rectification.objects.exists()

    def test_it_exports_what_the_list_shows(self, city, office, client_for):
        fix(joint(), problem="台账缺失")
        fix(joint("古南街道第2联合党支部"), problem="阵地不足", due=D(2022, 7, 1))
        with at(D(2022, 6, 1)):
            csv = b"".join(
                client_for(office).get("/coverage/rectifications/?state=overdue&format=csv")
            ).decode()
        assert "台账缺失" in csv and "阵地不足" not in csv and "已逾期" in csv

    def test_an_empty_list_says_where_rectifications_come_from(self, city, office, client_for):
        assert "导入排查记录" in client_for(office).get("/coverage/rectifications/").content.decode()


class TestRectificationScope(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        item = fix(joint(), problem="古南街道专属整改问题")
        branch = item.party_org
        return ScopeCase(
            obj=item,
            insider=make_user("qx360802", role="county", region="360802"),
            outsider=make_user("qx360803", role="county", region="360803"),
            marker="古南街道专属整改问题",
            detail_urls=[f"/coverage/rectifications/{item.pk}/close/", f"/coverage/party-orgs/{branch.pk}/"],
            list_urls=[
                "/coverage/rectifications/",
                "/coverage/rectifications/?state=overdue&as_of=2022-05-31",
            ],
            export_urls=["/coverage/rectifications/?format=csv"],
            change_urls=[
                f"/coverage/rectifications/{item.pk}/close/",
                f"/coverage/party-orgs/{branch.pk}/rectify/",
            ],
        )
