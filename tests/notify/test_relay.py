"""Notices beyond the browser: the 政务微信 group robot and the SMS gateway (loopback stand-ins)
get each notice once, failures are retried with backoff and logged, each user's choice of
channels is kept, and quiet hours hold all but the office's 催报 until morning."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from liangxin.dispatch import reminders
from liangxin.dispatch.models import Notice
from liangxin.notify import channels, preferences, sending
from liangxin.notify.models import Channel, Delivery
from tests.dispatch.factories import make_period, make_task, submit
from tests.factories import make_user
from tests.notify.receiver import Receiver

D = datetime.date


@pytest.fixture
def robot():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def sms():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def wired(settings, robot, sms):
    settings.LIANGXIN_NOTIFY_ROBOT_URL = robot.url
    settings.LIANGXIN_NOTIFY_SMS_URL = sms.url
    settings.LIANGXIN_NOTIFY_GATEWAY = "liangxin.notify.channels.relay"
    settings.LIANGXIN_NOTIFY_SMS_HEADERS = {"X-Api-Key": "k-123"}
    return settings


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` — what waits for the commit runs at the end of the block (the tests
    run inside a transaction that never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def may(city):
    period = make_period("2022-05")
    task = make_task("1", title="成立物流行业党委", lead="邮政管理局", units=("交通运输局",), deadline=None)
    submit(task, "交通运输局", period, when="2022-05-20")
    return period


@pytest.fixture
def postal_staff(city):
    return (
        make_user("yz1", role="member_unit", member_unit="邮政管理局", phone="138 0000 0001"),
        make_user("yz2", role="member_unit", member_unit="邮政管理局", phone="13800000002"),
        make_user("yz3", role="member_unit", member_unit="邮政管理局", phone="0796-8221234"),  # a landline
    )


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_the_chasing_notice_reaches_the_group_and_each_phone_once(
    wired, committed, robot, sms, may, postal_staff, office
):
    with committed():
        assert reminders.chase(may, actor=office, today=D(2022, 5, 27)) == 1
    with committed():
        assert reminders.chase(may, actor=office, today=D(2022, 5, 27)) == 0  # once a day
    reminders.deliver_pending()

    assert len(robot.bodies) == 1
    message = robot.bodies[0]
    assert message["msgtype"] == "text"
    assert message["text"]["content"].startswith("【催报】邮政管理局：工委办公室催报：2022年5月")
    assert message["text"]["mentioned_mobile_list"] == ["13800000001", "13800000002"]
    assert sorted(b["mobile"] for b in sms.bodies) == ["13800000001", "13800000002"]  # no SMS to a landline
    assert sms.bodies[0]["content"].startswith("【两新组织党建】【催报】邮政管理局：")
    assert sms.headers[0]["X-Api-Key"] == "k-123" and "X-Api-Key" not in robot.headers[0]  # the gateway's key
    assert "交通运输局" not in " ".join(robot.texts() + sms.texts())  # it has reported
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert Notice.objects.get(kind="chase").gateway_result == "政务微信 1 条，短信 2 条"


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_a_failed_delivery_is_retried_with_backoff_and_logged(
    wired, committed, settings, may, postal_staff, office
):
    flaky = Receiver(fail=2)
    settings.LIANGXIN_NOTIFY_ROBOT_URL = flaky.url
    settings.LIANGXIN_NOTIFY_SMS_URL = ""
    try:
        with committed():
            reminders.chase(may, actor=office, today=D(2022, 5, 27))
    finally:
        flaky.close()
    assert flaky.requests == 3 and len(flaky.bodies) == 1  # two 502s, then delivered once
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts, delivery.last_error) == (
        "robot",
        "delivered",
        3,
        "",
    )


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_a_robot_that_answers_an_error_code_is_not_counted_as_delivered(
    wired, committed, settings, may, postal_staff, office
):
    refusing = Receiver(errcode=93000)
    settings.LIANGXIN_NOTIFY_ROBOT_URL = refusing.url
    settings.LIANGXIN_NOTIFY_SMS_URL = ""
    try:
        with committed():
            reminders.chase(may, actor=office, today=D(2022, 5, 27))
    finally:
        refusing.close()
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 6
    assert "机器人返回错误 93000：invalid webhook url" in delivery.last_error
    assert "已尝试 6 次，不再重试" in delivery.last_error


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_an_unreachable_gateway_is_retried_by_the_worker_later(
    wired, committed, settings, may, postal_staff, office
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.LIANGXIN_NOTIFY_SMS_URL = "http://127.0.0.1:9/nothing-listens"
    settings.LIANGXIN_NOTIFY_ROBOT_URL = ""
    with committed():
        reminders.chase(may, actor=office, today=D(2022, 5, 27))
    for delivery in Delivery.objects.all():  # what the worker runs first
        sending.deliver_notice.call(delivery.pk)
    first = Delivery.objects.first()
    assert first.status == "retrying" and first.attempts == 1
    assert first.last_error.startswith("无法送达")
    assert first.next_attempt_at == datetime.datetime(2022, 5, 27, 2, 1, tzinfo=datetime.UTC)  # 1 minute
    assert sending.deliver_notice.call(first.pk) == "retrying"  # the second attempt: 4 minutes on
    first.refresh_from_db()
    assert first.attempts == 2
    assert first.next_attempt_at == datetime.datetime(2022, 5, 27, 2, 4, tzinfo=datetime.UTC)


@time_machine.travel("2022-05-27 10:00 +0800", tick=False)
def test_each_user_chooses_which_notices_each_channel_brings(
    wired, committed, robot, sms, may, postal_staff, office
):
    yz1, yz2, _ = postal_staff
    preferences.save(yz1, robot_kinds=[], sms_kinds=["chase"])
    preferences.save(yz2, robot_kinds=["chase"], sms_kinds=[])
    with committed():
        reminders.chase(may, actor=office, today=D(2022, 5, 27))
    assert robot.bodies[0]["text"]["mentioned_mobile_list"] == ["13800000002"]
    assert [b["mobile"] for b in sms.bodies] == ["13800000001"]


def test_a_choice_of_an_unknown_notice_kind_is_refused(city):
    user = make_user("yz1", role="member_unit", member_unit="邮政管理局")
    with pytest.raises(ValueError, match="没有这种提醒：birthday"):
        preferences.save(user, robot_kinds=["birthday"], sms_kinds=[])


def test_nothing_is_relayed_when_no_channel_is_configured(settings, committed, may, postal_staff, office):
    settings.LIANGXIN_NOTIFY_ROBOT_URL = settings.LIANGXIN_NOTIFY_SMS_URL = ""
    with committed():
        reminders.chase(may, actor=office, today=D(2022, 5, 27))
    assert not Delivery.objects.exists()
    assert Notice.objects.get(kind="chase").gateway_result == ""


def test_quiet_hours_hold_the_tick_reminders_until_morning_but_not_the_chase(
    wired, committed, robot, sms, may, postal_staff, office
):
    with time_machine.travel("2022-05-23 23:30 +0800", tick=False):  # 2 days before the due day
        with committed():
            reminders.tick(D(2022, 5, 23))
        held = Delivery.objects.filter(notice__kind="due_soon", notice__unit__name="邮政管理局")
        assert held.count() == 1  # the group (by default 即将截止 goes by SMS to nobody)
        assert {d.status for d in held} == {"pending"}
        assert robot.bodies == [] and sms.bodies == []
        assert (
            "免打扰，07:00 后发送"
            in Notice.objects.get(kind="due_soon", unit__name="邮政管理局").gateway_result
        )

        with committed():  # the office's 催报 is urgent
            reminders.chase(may, actor=office, today=D(2022, 5, 23))
        assert len(robot.bodies) == 1 and robot.texts()[0].startswith("【催报】")

    with time_machine.travel("2022-05-24 06:55 +0800", tick=False):
        with committed():
            reminders.tick(D(2022, 5, 24))
        assert len(robot.bodies) == 1  # still quiet

    with time_machine.travel("2022-05-24 07:05 +0800", tick=False):
        with committed():
            reminders.tick(D(2022, 5, 24))
        due_soon = [t for t in robot.texts() if t.startswith("【即将截止】邮政管理局")]
        assert len(due_soon) == 1
        assert {d.status for d in held.all()} == {"delivered"}
        with committed():
            reminders.tick(D(2022, 5, 24))
        assert len([t for t in robot.texts() if t.startswith("【即将截止】邮政管理局")]) == 1  # once


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ("2022-05-23 21:59", None),
        ("2022-05-23 22:00", "2022-05-24 07:00"),
        ("2022-05-24 03:00", "2022-05-24 07:00"),
        ("2022-05-24 07:00", None),
    ],
)
def test_quiet_hours_run_from_ten_at_night_to_seven_in_the_morning_shanghai_time(local, until, settings):
    settings.LIANGXIN_NOTIFY_QUIET_HOURS = ("22:00", "07:00")
    with time_machine.travel(f"{local} +0800", tick=False):
        found = channels.quiet_until()
    assert (
        found and found.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    ) == until or (found is None and until is None)


def test_a_returned_report_tells_the_unit_with_the_comment(
    wired, committed, robot, sms, may, postal_staff, office
):
    from liangxin.dispatch.models import Report
    from liangxin.dispatch.reports import return_report

    with time_machine.travel("2022-05-27 10:00 +0800", tick=False):
        report = Report.objects.get(unit__name="交通运输局")
        make_user("jt", role="member_unit", member_unit="交通运输局", phone="13900000009")
        with committed():
            return_report(report, actor=office, comment="请补充党员人数")
    notice = Notice.objects.get(kind="returned")
    assert notice.unit.name == "交通运输局"
    assert "被退回：请补充党员人数" in notice.message
    assert robot.texts() == [f"【报告被退回】交通运输局：{notice.message}"]
    assert [b["mobile"] for b in sms.bodies] == ["13900000009"]  # returns go by SMS by default


def test_the_default_choice_is_every_notice_in_the_group_and_the_urgent_ones_by_sms(city):
    assert channels.kinds_for(None, Channel.SMS) == ["overdue", "chase", "returned"]
    assert "opened" in channels.kinds_for(None, Channel.ROBOT)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LIANGXIN_NOTIFY_QUIET_HOURS", "22点-7点", "应写成“22:00-07:00”的形式"),
        ("LIANGXIN_NOTIFY_QUIET_HOURS", "25:00-07:00", "应写成“22:00-07:00”的形式"),
        ("LIANGXIN_NOTIFY_SMS_TEMPLATE", '["not", "an object"]', "应为一个 JSON 对象"),
        ("LIANGXIN_NOTIFY_SMS_HEADERS", "X-Api-Key: k", "应为一个 JSON 对象"),
    ],
)
def test_a_wrong_notify_setting_stops_the_start_with_a_chinese_message(monkeypatch, name, value, message):
    from django.core.exceptions import ImproperlyConfigured

    from liangxin import settings as liangxin_settings

    monkeypatch.setenv(name, value)
    helper = liangxin_settings.envhours if name.endswith("HOURS") else liangxin_settings.envjson_object
    with pytest.raises(ImproperlyConfigured, match=message):
        helper(name, "")


def test_quiet_hours_can_be_turned_off(monkeypatch):
    from liangxin import settings as liangxin_settings

    monkeypatch.setenv("LIANGXIN_NOTIFY_QUIET_HOURS", "")
    assert liangxin_settings.envhours("LIANGXIN_NOTIFY_QUIET_HOURS", "22:00-07:00") is None
