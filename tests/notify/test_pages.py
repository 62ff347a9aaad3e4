"""消息接收设置 (every user's own) and the office's 消息推送记录."""

from __future__ import annotations

import pytest
from django.urls import reverse

from liangxin.core.models import AuditLog, MemberUnit
from liangxin.dispatch.models import Notice
from liangxin.notify import preferences
from liangxin.notify.models import Delivery
from tests.factories import make_user


def _delivery(unit_name: str, message: str, **fields) -> Delivery:
    unit = MemberUnit.objects.get(name=unit_name)
    notice = Notice.objects.create(unit=unit, kind="chase", key=f"k:{unit.pk}:{message}", message=message)
    return Delivery.objects.create(notice=notice, channel="robot", payload={}, **fields)


@pytest.fixture
def postal(city):
    return make_user("yz", role="member_unit", member_unit="邮政管理局", phone="13800000001")


def test_a_user_chooses_the_notices_each_channel_brings_and_the_change_is_audited(client, postal):
    client.force_login(postal)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "13800000001" in page and "22:00至次日07:00" in page
    assert 'name="sms_kinds" value="chase" id="id_sms_kinds_3" checked' in page  # the default
    response = client.post(
        reverse("notify:preferences"), {"robot_kinds": ["opened", "overdue"], "sms_kinds": []}
    )
    assert response.status_code == 302
    assert preferences.current(postal) == {"robot": ["opened", "overdue"], "sms": []}
    log = AuditLog.objects.get(action="notify.preference.updated")
    assert log.actor == postal and log.after == {"robot": ["opened", "overdue"], "sms": []}


def test_a_user_without_a_mobile_is_told_sms_cannot_reach_them(client, city):
    user = make_user("yz", role="member_unit", member_unit="邮政管理局", phone="0796-8221234")
    client.force_login(user)
    assert "未登记手机号" in client.get(reverse("notify:preferences")).content.decode()


def test_the_recent_deliveries_are_the_users_own_units_only(client, postal):
    _delivery("邮政管理局", "邮政管理局的催报")
    _delivery("司法局", "司法局的催报")
    client.force_login(postal)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "邮政管理局的催报" in page and "司法局的催报" not in page


def test_the_office_reads_the_delivery_log_with_filters_and_masked_numbers(client, office):
    _delivery("邮政管理局", "已送达的催报", status="delivered")
    _delivery("司法局", "失败的催报", status="failed", last_error="接收端返回 502", recipient="13800000001")
    client.force_login(office)
    page = client.get(reverse("notify:deliveries")).content.decode()
    assert "已送达的催报" in page and "失败的催报" in page and "138****0001" in page
    assert "13800000001" not in page
    failed = client.get(reverse("notify:deliveries"), {"status": "failed"}).content.decode()
    assert "失败的催报" in failed and "已送达的催报" not in failed
    empty = client.get(reverse("notify:deliveries"), {"channel": "sms"}).content.decode()
    assert "没有符合条件的推送记录" in empty


def test_only_the_office_reads_the_delivery_log(client, postal):
    client.force_login(postal)
    assert client.get(reverse("notify:deliveries")).status_code == 403


def test_the_office_sees_beside_each_notice_what_went_out_by_robot_and_sms(client, office):
    unit = MemberUnit.objects.get(name="邮政管理局")
    Notice.objects.create(
        unit=unit, kind="chase", key="k", message="请尽快报送", gateway_result="政务微信 1 条，短信 2 条"
    )
    client.force_login(office)
    page = client.get(reverse("dispatch:notices")).content.decode()
    assert '<td class="notice-relay" data-label="站外推送">政务微信 1 条，短信 2 条</td>' in page
    assert reverse("notify:deliveries") in page
