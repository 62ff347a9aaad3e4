"""The committee pages as a member unit uses them: record its committee and an activity, see the
figures; bad input gets a Chinese message naming the field."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from liangxin.committee.models import Activity, IndustryCommittee
from liangxin.core.models import Industry, MemberUnit
from tests.committee.factories import make_committee
from tests.coverage.factories import make_org
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_member_unit_records_its_committee_and_an_activity_and_sees_them_counted(city, client):
    jiaotong = make_user("jt", role="member_unit", member_unit="交通运输局")
    org = make_org("顺达物流", industry_id="54", industry_section="G")
    client.force_login(jiaotong)
    assert client.get(reverse("committee:industry_create")).status_code == 200
    unit = MemberUnit.objects.get(name="交通运输局")
    empty = client.post(
        reverse("committee:industry_create"),
        {"name": "物流行业党委", "owner_unit": unit.pk, "founded_on": "2022-01-05"},
    )
    assert "请至少选择一个服务行业或填写一个重点群体标签" in empty.content.decode()
    other = MemberUnit.objects.get(name="司法局")
    refused = client.post(
        reverse("committee:industry_create"),
        {"name": "律师行业党委", "owner_unit": other.pk, "tags": "律师事务所", "founded_on": "2022-01-05"},
    )
    assert refused.status_code == 200 and not IndustryCommittee.objects.exists()  # not its unit to choose
    response = client.post(
        reverse("committee:industry_create"),
        {
            "name": "物流行业党委",
            "owner_unit": unit.pk,
            "industries": [Industry.objects.get(code="54").pk],
            "tags": "货运、网约车",
            "founded_on": "2022-01-05",
        },
    )
    committee = IndustryCommittee.objects.get()
    assert response.status_code == 302
    assert committee.party_org.get_formation_display() == "行业（综合）党委"
    assert committee.tags == ["货运", "网约车"]
    form = client.get(reverse("committee:activity_create") + f"?committee={committee.pk}")
    assert form.status_code == 200
    bad = client.post(
        reverse("committee:activity_create"),
        {"date": "2022-03-01", "kind": "study", "title": "宣讲", "organizer": unit.pk, "committee": committee.pk,
         "people": "30", "credit_codes": "91360802MC9999999X"},
    )  # fmt: skip
    assert "不在您可见的台账中" in bad.content.decode()
    client.post(
        reverse("committee:activity_create"),
        {"date": "2022-03-01", "kind": "study", "title": "宣讲", "organizer": unit.pk, "committee": committee.pk,
         "people": "30", "credit_codes": org.credit_code},
    )  # fmt: skip
    activity = Activity.objects.get()
    assert list(activity.organizations.all()) == [org]
    page = client.get(reverse("committee:industry_detail", args=[committee.pk]) + "?as_of=2022-05-31")
    text = page.content.decode()
    assert "本年度开展活动1次" in text and "顺达物流" not in text  # figures, not a list of organizations
    assert client.get(reverse("committee:industry_edit", args=[committee.pk])).status_code == 200
    assert client.get(reverse("committee:activity_edit", args=[activity.pk])).status_code == 200
    assert client.get(reverse("committee:missing")).status_code == 200


def test_a_bad_date_is_named_and_today_used(city, client):
    make_committee("物流行业党委", industries=("G",), founded_on=datetime.date(2020, 1, 1))
    client.force_login(make_user("office", role="office"))
    page = client.get(reverse("committee:industry") + "?as_of=2022-13-01").content.decode()
    assert "日期“2022-13-01”格式不对" in page and "物流行业党委" in page


def test_an_instructor_has_no_committee_pages(city, client):
    client.force_login(make_user("zdy", role="instructor", region="360802"))
    assert client.get(reverse("committee:industry")).status_code == 403
    assert client.get(reverse("committee:meetings")).status_code == 403
