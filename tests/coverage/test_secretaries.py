"""派驻党组织书记 as person records (issue 20): who was sent, by which unit, from when until when —
shown on the party organization's page (phone masked for those who may only view it), counted in
the quality view, kept in step with the party organization's 书记; refused with a reason when the
dates do not fit; only those who may change the party organization record or end one."""

import datetime

import pytest
import time_machine

from liangxin.core.models import AuditLog
from liangxin.coverage import quality, secretaries
from liangxin.coverage.models import (
    DispatchedSecretary,
    Formation,
    Instructor,
    PartyOrganization,
    Rectification,
)
from tests.coverage.factories import make_org, make_party_org
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.datetime(2022, 6, 15, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def branch(name="古南联合党支部", region="360802001"):
    org = make_org(f"{name}物流公司", region=region, members=1, industry_id="54", industry_section="G")
    return make_party_org(name, org, formation=Formation.JOINT, secretary="原书记")


def test_recording_a_posting_makes_them_the_secretary_and_ends_the_one_before(city):
    party_org = branch()
    first = secretaries.record(party_org, actor=None, name="刘派驻", sent_by="古南街道党工委", phone="13800138000",
                               starts_on=D(2022, 1, 10), today=D(2022, 6, 15))  # fmt: skip
    party_org.refresh_from_db()
    assert (party_org.secretary, party_org.secretary_dispatched, party_org.secretary_sent_by) == (
        "刘派驻", True, "古南街道党工委",
    )  # fmt: skip
    second = secretaries.record(party_org, actor=None, name="陈派驻", sent_by="吉州区委组织部",
                                starts_on=D(2022, 5, 1), today=D(2022, 6, 15))  # fmt: skip
    first.refresh_from_db()
    assert first.ends_on == D(2022, 5, 1) and second.ends_on is None
    assert [p.name for p in PartyOrganization.objects.filter(pk__in=secretaries.with_dispatched(
        PartyOrganization.objects.all(), D(2022, 4, 30)))] == ["古南联合党支部"]  # fmt: skip
    assert AuditLog.objects.filter(action="coverage.dispatched_secretary.created").count() == 2
    assert AuditLog.objects.filter(action="coverage.dispatched_secretary.ended").count() == 1


def test_ending_a_posting_leaves_the_post_vacant_from_that_day(city):
    party_org = branch()
    posting = secretaries.record(party_org, actor=None, name="刘派驻", sent_by="古南街道党工委",
                                 starts_on=D(2022, 1, 10), today=D(2022, 6, 15))  # fmt: skip
    secretaries.end(posting, actor=None, ends_on=D(2022, 6, 1), today=D(2022, 6, 15))
    party_org.refresh_from_db()
    assert (party_org.secretary, party_org.secretary_dispatched, party_org.secretary_vacant_since) == (
        "", False, D(2022, 6, 1),
    )  # fmt: skip
    assert not secretaries.with_dispatched(PartyOrganization.objects.all(), D(2022, 6, 1)).exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "says"),
    [
        (D(2022, 7, 1), None, "派驻日期不能晚于今天"),
        (D(2022, 1, 5), None, "新派驻日期应晚于此日"),
        (None, D(2022, 1, 10), "结束日期应晚于派驻日期 2022-01-10"),
        (None, D(2022, 7, 1), "不晚于今天"),
    ],
)
def test_dates_that_do_not_fit_are_refused_with_the_reason(city, starts_on, ends_on, says):
    from django.core.exceptions import ValidationError

    party_org = branch()
    posting = secretaries.record(party_org, actor=None, name="刘派驻", sent_by="古南街道党工委",
                                 starts_on=D(2022, 1, 10), today=D(2022, 6, 15))  # fmt: skip
    with pytest.raises(ValidationError, match=says):
        if starts_on:
            secretaries.record(party_org, actor=None, name="陈派驻", sent_by="某单位", starts_on=starts_on,
                               today=D(2022, 6, 15))  # fmt: skip
        else:
            secretaries.end(posting, actor=None, ends_on=ends_on, today=D(2022, 6, 15))
    assert DispatchedSecretary.objects.count() == 1


@time_machine.travel(TODAY, tick=False)
def test_the_page_records_and_ends_a_posting_and_masks_the_phone_for_viewers(city, office, client_for):
    party_org = branch()
    client = client_for(office)
    form = {
        "name": "刘派驻",
        "phone": "138 0013 8000",
        "sent_by": "古南街道党工委",
        "starts_on": "2022-06-01",
    }
    refused = client.post(f"/coverage/party-orgs/{party_org.pk}/secretary/", {**form, "phone": "12345"})
    assert refused.status_code == 200 and not DispatchedSecretary.objects.exists()
    assert client.post(f"/coverage/party-orgs/{party_org.pk}/secretary/", form).status_code == 302
    page = client.get(f"/coverage/party-orgs/{party_org.pk}/").content.decode()
    assert "刘派驻" in page and "13800138000" in page and "古南街道党工委" in page and "结束派驻" in page
    # 交通运输局 sees the branch (it covers a logistics organization) but may not change it
    viewer = make_user("jiaotong", role="member_unit", member_unit="交通运输局")
    seen = client_for(viewer).get(f"/coverage/party-orgs/{party_org.pk}/").content.decode()
    assert "刘派驻" in seen and "138****8000" in seen
    assert "结束派驻" not in seen
    posting = DispatchedSecretary.objects.get()
    client = client_for(office)
    assert (
        client.post(f"/coverage/secretaries/{posting.pk}/end/", {"ends_on": "2022-06-15"}).status_code == 302
    )
    posting.refresh_from_db()
    assert posting.ends_on == D(2022, 6, 15)


def test_an_outsider_can_neither_record_nor_end_one(city, client_for):
    party_org = branch(region="360802001")
    posting = secretaries.record(party_org, actor=None, name="刘派驻", sent_by="古南街道党工委",
                                 starts_on=D(2022, 1, 10), today=D(2022, 6, 15))  # fmt: skip
    outsider = client_for(make_user("qx360803", role="county", region="360803"))
    form = {"name": "陈", "sent_by": "某单位", "starts_on": "2022-06-01"}
    assert outsider.post(f"/coverage/party-orgs/{party_org.pk}/secretary/", form).status_code == 404
    assert (
        outsider.post(f"/coverage/secretaries/{posting.pk}/end/", {"ends_on": "2022-06-01"}).status_code
        == 404
    )
    posting.refresh_from_db()
    assert posting.ends_on is None and DispatchedSecretary.objects.count() == 1


def test_the_party_org_forms_mark_keeps_a_posting(city, office, client_for):
    org = make_org("古南甲公司", members=5)
    client_for(office).post("/coverage/party-orgs/new/", {
        "name": "古南甲党支部", "org_type": "branch", "formation": "single", "codes": org.credit_code,
        "status": "active", "secretary": "李书记", "secretary_dispatched": "on", "secretary_sent_by": "古南街道党工委",
    })  # fmt: skip
    posting = DispatchedSecretary.objects.get()
    assert (posting.name, posting.sent_by, posting.ends_on) == ("李书记", "古南街道党工委", None)


def test_the_quality_views_count_party_organizations_with_a_dispatched_secretary_in_post(city):
    jizhou, qingyuan = branch("吉州联合支部"), branch("青原联合支部", region="360803001")
    for party_org in (jizhou, qingyuan):
        secretaries.record(party_org, actor=None, name="刘派驻", sent_by="某单位", starts_on=D(2022, 3, 1),
                           today=D(2022, 6, 15))  # fmt: skip
    rows, total = quality.quality(PartyOrganization.objects.all(), Instructor.objects.all(),
                                  Rectification.objects.all(), as_of=D(2022, 5, 31))  # fmt: skip
    assert {r.name: r.dispatched for r in rows if r.dispatched} == {"吉州区": 1, "青原区": 1}
    assert total.dispatched == 2
    _, before = quality.quality(PartyOrganization.objects.all(), Instructor.objects.all(),
                                Rectification.objects.all(), as_of=D(2022, 2, 28))  # fmt: skip
    assert before.dispatched == 0


def test_the_audit_page_names_the_postings_actions_in_chinese():
    from liangxin.core.audit_labels import action_label

    assert action_label("coverage.dispatched_secretary.created") == "记录派驻书记"
    assert action_label("coverage.dispatched_secretary.ended") == "结束派驻书记的派驻"
