"""Each unit's own 政务微信 work group: a robot set per member unit or region by the system
administrator (not the security administrator), audited and shown with its key hidden; a unit's
notice reaches its own group once, another unit's group nothing, and without a robot of its own
the region's or the city's (loopback stand-ins for the robots)."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from liangxin.core.models import AuditLog, MemberUnit, Region
from liangxin.dispatch import reminders
from liangxin.dispatch.models import Notice
from liangxin.notify import robots
from liangxin.notify.models import Delivery, RobotEndpoint
from tests.dispatch.factories import unit
from tests.factories import make_user
from tests.notify.receiver import Receiver
from tests.notify.test_relay import committed, may, postal_staff  # noqa: F401 (fixtures)

D = datetime.date
KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


@pytest.fixture
def groups():
    """The city's group and two units' groups, each a loopback robot."""
    made = {name: Receiver() for name in ("city", "postal", "transport", "county")}
    yield made
    for receiver in made.values():
        receiver.close()


@pytest.fixture
def sysadmin(city):
    return make_user("sys", role="sysadmin")


@pytest.fixture
def wired(settings, groups):
    settings.LIANGXIN_NOTIFY_ROBOT_URL = groups["city"].url
    settings.LIANGXIN_NOTIFY_SMS_URL = ""
    settings.LIANGXIN_NOTIFY_GATEWAY = "liangxin.notify.channels.relay"
    return settings


def _key_url(receiver: Receiver) -> str:
    return f"{receiver.url}?key={KEY}"


def _staff(member_unit: MemberUnit) -> None:
    """One user of the unit (a robot message goes where someone chose to get it: by default all)."""
    make_user(f"u{member_unit.pk}", role="member_unit", member_unit=member_unit.name)


def _notice(member_unit: MemberUnit, key: str) -> Notice:
    return Notice(unit=member_unit, kind="chase", key=key, message="工委办公室催报：请于今日报送")


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_the_units_chasing_notice_reaches_its_own_group_once_and_no_other(
    wired,
    groups,
    committed,  # noqa: F811
    sysadmin,
    may,  # noqa: F811
    postal_staff,  # noqa: F811
    office,
):
    robots.set_robot(actor=sysadmin, unit=unit("邮政管理局"), url=_key_url(groups["postal"]))
    robots.set_robot(actor=sysadmin, unit=unit("交通运输局"), url=_key_url(groups["transport"]))
    with committed():
        assert reminders.chase(may, actor=office, today=D(2022, 5, 27)) == 1  # 邮政管理局 has not reported
    with committed():
        assert reminders.chase(may, actor=office, today=D(2022, 5, 27)) == 0
    reminders.deliver_pending()

    assert len(groups["postal"].bodies) == 1
    assert groups["postal"].texts()[0].startswith("【催报】邮政管理局：工委办公室催报")
    assert groups["postal"].bodies[0]["text"]["mentioned_mobile_list"] == ["13800000001", "13800000002"]
    assert groups["transport"].requests == 0 and groups["city"].requests == 0
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.group) == ("delivered", "邮政管理局工作群")


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_without_its_own_robot_a_notice_goes_to_its_regions_group_else_the_citys(
    wired,
    groups,
    committed,  # noqa: F811
    sysadmin,
):
    county_unit = MemberUnit.objects.get(kind="county_org", region__code="360802")
    _staff(county_unit), _staff(unit("民政局"))
    robots.set_robot(actor=sysadmin, region=Region.objects.get(code="360802"), url=_key_url(groups["county"]))
    with committed():
        reminders.queue_notices([_notice(county_unit, "t:county"), _notice(unit("民政局"), "t:civil")])
        reminders.deliver_pending()
    assert [t.split("：")[0] for t in groups["county"].texts()] == [f"【催报】{county_unit.name}"]
    assert [t.split("：")[0] for t in groups["city"].texts()] == ["【催报】民政局"]
    assert dict(Delivery.objects.values_list("notice__unit__name", "group")) == {
        county_unit.name: f"{county_unit.region.name}工作群",
        "民政局": "全市工作群",
    }


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_a_units_robot_alone_turns_the_channel_on_and_a_failure_is_retried_to_the_same_group(
    settings,
    committed,  # noqa: F811
    sysadmin,
):
    settings.LIANGXIN_NOTIFY_ROBOT_URL = ""  # no city-wide robot
    settings.LIANGXIN_NOTIFY_SMS_URL = ""
    settings.LIANGXIN_NOTIFY_GATEWAY = "liangxin.notify.channels.relay"
    _staff(unit("邮政管理局")), _staff(unit("民政局"))
    flaky = Receiver(fail=1)
    try:
        robots.set_robot(actor=sysadmin, unit=unit("邮政管理局"), url=_key_url(flaky))
        with committed():
            reminders.queue_notices(
                [_notice(unit("邮政管理局"), "t:postal"), _notice(unit("民政局"), "t:civil")]
            )
            reminders.deliver_pending()
    finally:
        flaky.close()
    assert flaky.requests == 2 and len(flaky.bodies) == 1  # a 502, then delivered once
    delivery = Delivery.objects.get()  # 民政局 has no robot and there is no city's: nothing queued
    assert (delivery.notice.unit.name, delivery.status, delivery.attempts) == ("邮政管理局", "delivered", 2)


def test_the_system_administrator_sets_a_robot_and_sees_it_masked_audited(client, sysadmin):
    client.force_login(sysadmin)
    url = reverse("notify:robots")
    target = f"unit:{unit('邮政管理局').pk}"
    secret = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + KEY
    response = client.post(url, {"target": target, "url": secret})
    assert response.status_code == 302
    assert RobotEndpoint.objects.get(unit=unit("邮政管理局")).url == secret
    page = client.get(url).content.decode()
    assert "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****5aaa" in page
    assert KEY not in page
    log = AuditLog.objects.get(action="notify.robot.created")
    assert log.actor == sysadmin and KEY not in json.dumps([log.before, log.after], ensure_ascii=False)
    # replaced: the audit keeps both, masked
    client.post(url, {"target": target, "url": secret.replace("5aaa", "6bbb")})
    changed = AuditLog.objects.get(action="notify.robot.updated")
    assert changed.before == {"url": secret.replace(KEY, "****5aaa")}
    assert changed.after == {"url": secret.replace(KEY, "****6bbb")}
    # removed: the unit's notices fall back
    endpoint = RobotEndpoint.objects.get()
    client.post(url, {"clear": str(endpoint.pk)})
    assert (
        not RobotEndpoint.objects.exists()
        and AuditLog.objects.filter(action="notify.robot.deleted").count() == 1
    )


@pytest.mark.parametrize(
    "bad, message",
    [
        ("qyapi.weixin.qq.com", "群机器人地址格式不对"),
        ("ftp://qyapi.weixin.qq.com/send?key=1", "群机器人地址格式不对"),
        ("https://admin:pw@qyapi.weixin.qq.com/send?key=1", "不能含用户名或密码"),
        ("https://qyapi.weixin.qq.com/", "缺少路径或 key 参数"),
        ("https://qyapi.weixin.qq.com/send?key=a b", "不能含空格"),
    ],
)
def test_a_bad_address_gets_a_chinese_message_and_nothing_is_saved(client, sysadmin, bad, message):
    client.force_login(sysadmin)
    response = client.post(reverse("notify:robots"), {"target": f"unit:{unit('民政局').pk}", "url": bad})
    assert response.status_code == 200 and message in response.content.decode()
    assert not RobotEndpoint.objects.exists() and not AuditLog.objects.filter(
        action__startswith="notify.robot"
    )


def test_only_the_system_administrator_configures_robots(client, city, office):
    secadmin = make_user("sec", role="secadmin")
    for user in (secadmin, office, make_user("yz", role="member_unit", member_unit="邮政管理局")):
        client.force_login(user)
        assert client.get(reverse("notify:robots")).status_code == 403
        response = client.post(
            reverse("notify:robots"),
            {"target": f"unit:{unit('邮政管理局').pk}", "url": "https://a.example/send?key=1"},
        )
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            robots.set_robot(actor=user, unit=unit("邮政管理局"), url="https://a.example/send?key=1")
    assert not RobotEndpoint.objects.exists()


def test_a_robot_belongs_to_a_unit_or_a_county_or_township(sysadmin):
    with pytest.raises(ValidationError, match="只能为县（市、区）或乡镇（街道）设置"):
        robots.set_robot(
            actor=sysadmin, region=Region.objects.get(code="360800"), url="https://a.example/send?key=1"
        )
    township = Region.objects.filter(level="township").first()
    assert (
        robots.set_robot(actor=sysadmin, region=township, url="https://a.example/send?key=1").region
        == township
    )
