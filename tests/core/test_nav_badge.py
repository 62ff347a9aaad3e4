"""The number beside a navigation entry: unread notices next to 本月填报."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liangxin.core import context_processors
from liangxin.core.context_processors import NavBadge
from liangxin.dispatch.models import Notice
from tests.dispatch.factories import make_period, unit
from tests.factories import make_user

BADGE = re.compile(r'本月填报 <span class="badge badge-red nav-badge" title="未读提醒 (\d+) 条">(\d+)</span>')


@pytest.fixture
def may(city):
    return make_period("2022-05")


def _notify(may, unit_name: str, message: str) -> Notice:
    return Notice.objects.create(
        unit=unit(unit_name), period=may, kind="chase", key=f"chase:{unit_name}:{message}", message=message
    )


def _badge(client) -> int | None:
    found = BADGE.search(client.get(reverse("home")).content.decode())
    return int(found.group(2)) if found else None


def test_a_member_unit_sees_its_unread_count_until_it_reads_them(may, client_for):
    jiaotong = make_user("jt", role="member_unit", member_unit="交通运输局")
    _notify(may, "交通运输局", "工委办公室催报：交通运输局请尽快报送")
    read = _notify(may, "交通运输局", "逾期提醒")
    _notify(may, "民政局", "民政局的催报")  # another unit's notice is not counted
    client = client_for(jiaotong)
    assert _badge(client) == 2

    client.post(reverse("dispatch:notice_read", args=[read.pk]))
    assert _badge(client) == 1
    client.post(reverse("dispatch:notice_read_all"))
    page = client.get(reverse("home")).content.decode()
    assert "本月填报" in page and "nav-badge" not in page


def test_a_county_sees_its_organization_departments_count(may, client_for):
    _notify(may, "吉州区委组织部", "开启提醒")
    _notify(may, "青原区委组织部", "开启提醒")
    assert _badge(client_for(make_user("jz", role="county", region="360802"))) == 1


def test_the_office_and_a_township_see_no_badge(may, office, client_for):
    _notify(may, "交通运输局", "催报提醒")
    for user in (office, make_user("xz", role="township", region="360802001")):
        page = client_for(user).get(reverse("home")).content.decode()
        assert "本月填报" in page and "nav-badge" not in page


def test_the_count_costs_one_query_per_page(may, client_for):
    _notify(may, "交通运输局", "催报提醒")
    client = client_for(make_user("jt", role="member_unit", member_unit="交通运输局"))
    client.get(reverse("dispatch:notices"))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert "nav-badge" in client.get(reverse("dispatch:board")).content.decode()
    counting = [q["sql"] for q in queries if "dispatch_notice" in q["sql"]]
    assert len(counting) == 1


def test_a_failing_badge_leaves_the_page_working(may, client_for, monkeypatch):
    def broken(request):
        raise RuntimeError("提醒服务不可用")

    monkeypatch.setattr(context_processors, "nav_badges", lambda: {"reports": NavBadge(broken, "未读提醒")})
    _notify(may, "交通运输局", "催报提醒")
    response = client_for(make_user("jt", role="member_unit", member_unit="交通运输局")).get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "本月填报" in page and "nav-badge" not in page
