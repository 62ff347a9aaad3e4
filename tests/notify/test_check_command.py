"""`liangxin notify_check`: an operator checks the robot and SMS settings with one test message."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.notify import robots
from tests.dispatch.factories import unit
from tests.factories import make_user
from tests.notify.receiver import Receiver


@pytest.fixture
def receivers(settings):
    robot, sms = Receiver(), Receiver()
    settings.LIANGXIN_NOTIFY_ROBOT_URL, settings.LIANGXIN_NOTIFY_SMS_URL = robot.url, sms.url
    yield robot, sms
    robot.close()
    sms.close()


def test_a_test_message_reaches_the_group_and_the_phone(receivers, db):
    robot, sms = receivers
    out = io.StringIO()
    call_command("notify_check", "--mobile", "13800000001", stdout=out)
    assert "政务微信群机器人：发送成功（200）" in out.getvalue() and "短信：发送成功（200）" in out.getvalue()
    assert robot.texts()[0].startswith("两新组织党建工作调度平台测试消息")
    assert sms.bodies[0]["mobile"] == "13800000001"


def test_a_refusing_robot_fails_the_check_with_its_reason(settings, db):
    refusing = Receiver(errcode=93000)
    settings.LIANGXIN_NOTIFY_ROBOT_URL, settings.LIANGXIN_NOTIFY_SMS_URL = refusing.url, ""
    out = io.StringIO()
    try:
        with pytest.raises(CommandError, match="测试消息发送失败"):
            call_command("notify_check", "--json", stdout=out)
    finally:
        refusing.close()
    assert json.loads(out.getvalue())["results"][0]["error"] == "机器人返回错误 93000：invalid webhook url"


def test_nothing_configured_or_a_bad_mobile_is_said_plainly(settings, db):
    settings.LIANGXIN_NOTIFY_ROBOT_URL = settings.LIANGXIN_NOTIFY_SMS_URL = ""
    with pytest.raises(CommandError, match="未配置推送渠道"):
        call_command("notify_check", stdout=io.StringIO())
    with pytest.raises(CommandError, match="不是 11 位手机号码"):
        call_command("notify_check", "--mobile", "0796-123", stdout=io.StringIO())


def test_a_units_own_robot_is_checked_by_its_name(settings, city):
    city_group, postal = Receiver(), Receiver()
    settings.LIANGXIN_NOTIFY_ROBOT_URL, settings.LIANGXIN_NOTIFY_SMS_URL = city_group.url, ""
    try:
        robots.set_robot(
            actor=make_user("sys", role="sysadmin"), unit=unit("邮政管理局"), url=postal.url + "?key=k1"
        )
        out = io.StringIO()
        call_command("notify_check", "--unit", "邮政管理局", stdout=out)
        call_command("notify_check", "--unit", "民政局", stdout=out)  # no robot of its own: the city's
    finally:
        city_group.close()
        postal.close()
    assert "邮政管理局的提醒发往：邮政管理局工作群" in out.getvalue()
    assert "民政局的提醒发往：全市工作群" in out.getvalue()
    assert len(postal.bodies) == 1 and len(city_group.bodies) == 1
    with pytest.raises(CommandError, match="没有名为“不存在局”的成员单位"):
        call_command("notify_check", "--unit", "不存在局", stdout=io.StringIO())
