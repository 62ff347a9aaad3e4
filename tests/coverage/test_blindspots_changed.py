"""A county's and a township's 工作台 name the blind spots (uncovered: no party organization, no
party work) that appeared since the end of last month and those that went away, each linking
to the organization, the group to the blind-spot list filtered the same way; another county
sees none of them."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from liangxin.coverage import services
from liangxin.coverage.models import Formation
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.factories import make_user

SHANGHAI = timezone.get_default_timezone()
D = datetime.date


def on(day: str, hour: int = 10):
    return time_machine.travel(
        datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI), tick=False
    )


def group(page: str, key: str) -> str:
    m = re.search(
        rf'<div class="card todo-group"[^>]*data-todo="{re.escape(key)}">(.*?)</div>\s*</div>', page, re.S
    )
    return m[1] if m else ""


def item_links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'<li[^>]*><a href="([^"]+)"', html)]


def more_link(html: str) -> str:
    return re.search(r'<div class="card-footer"><a href="([^"]+)"', html)[1].replace("&amp;", "&")


def badge(page: str) -> int:
    return int(re.search(r'title="待办事项 (\d+) 条">\1<', page)[1])


@pytest.fixture
def may(city):
    """April 2022, as registered then: 甲 and 乙 in one joint branch, 丁 and 戊 uncovered (戊
    stays so), 青原's 己 in its own branch. In May: the branch drops 甲 (12th), an instructor
    takes on 丁 (5th), 丙 is registered without coverage (15th), 己's branch drops it."""
    with on("2022-04-10"):
        jia, yi = make_org("吉州甲科技公司"), make_org("吉州乙商贸公司")
        ding, wu = make_org("吉州丁物流公司"), make_org("吉州戊餐饮公司")
        ji = make_org("青原己建材公司", region="360803001")
        branch = make_party_org("吉州联合党支部", jia, yi, formation=Formation.JOINT)
        theirs = make_party_org("青原己建材公司党支部", ji)
    county = make_user("jz", role="county", region="360802")
    with on("2022-05-05"):
        make_instructor("李指导", ding, starts_on=D(2022, 5, 5))
    with on("2022-05-12"):
        services.save_party_org(branch, actor=county, today=D(2022, 5, 12), organizations=[yi])
        services.save_party_org(
            theirs,
            actor=make_user("qy", role="county", region="360803"),
            today=D(2022, 5, 12),
            organizations=[],
        )
    with on("2022-05-15"):
        bing = make_org("吉州丙网络公司", founded_on=D(2021, 3, 1))  # founded before, registered now
    return {"jia": jia, "yi": yi, "bing": bing, "ding": ding, "wu": wu, "ji": ji, "county": county}


def test_a_county_sees_the_blind_spots_that_appeared_and_went_away_this_month(may, client_for):
    client = client_for(may["county"])
    with on("2022-05-20"):
        page = client.get("/").content.decode()
    became = group(page, "coverage.blindspots_became")
    assert "4月30日以来" in became
    assert re.search(r'<span class="badge">2</span>', became)
    assert "吉州甲科技公司" in became and "吉州丙网络公司" in became  # lost its branch; new, uncovered
    assert "吉州戊餐饮公司" not in became  # a blind spot already at the end of April
    assert "吉州乙商贸公司" not in page and "青原己建材公司" not in page
    stopped = group(page, "coverage.blindspots_stopped")
    assert "吉州丁物流公司" in stopped and "现为：工作覆盖" in stopped
    assert re.search(r'<span class="badge">1</span>', stopped)
    assert badge(page) == 2  # the new blind spots are work; the one gone is news

    with on("2022-05-20"):
        opened = [client.get(url).content.decode() for url in item_links(became)]  # the organizations' pages
    assert len(opened) == 2
    assert any("<h1" in p and "吉州甲科技公司" in p for p in opened)
    assert any("<h1" in p and "吉州丙网络公司" in p for p in opened)
    with on("2022-05-20"):
        listed = client.get(more_link(became)).content.decode()
        gone = client.get(more_link(stopped)).content.decode()
    rows = re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', listed)
    assert sorted(rows) == ["吉州丙网络公司", "吉州甲科技公司"]
    assert "新增的未覆盖组织（2022-04-30 以来）" in listed
    assert re.findall(r'<tr><td><a href="[^"]+">([^<]+)</a>', gone) == ["吉州丁物流公司"]
    assert "工作覆盖" in gone


def test_a_township_sees_its_own_and_after_the_month_end_they_are_old_news(may, client_for):
    client = client_for(make_user("xxq", role="township", region="360802001"))
    with on("2022-05-20"):
        page = client.get("/").content.decode()
    assert "吉州甲科技公司" in group(page, "coverage.blindspots_became")
    client = client_for(make_user("xxq2", role="township", region="360802001"))
    with on("2022-06-02"):  # counted from May 31 now: 甲 and 丙 were blind spots then already
        june = client.get("/").content.decode()
    assert 'data-todo="coverage.blindspots_became"' not in june
    assert 'data-todo="coverage.blindspots_stopped"' not in june


def test_another_county_sees_only_its_own_changes(may, client_for):
    client = client_for(make_user("qy2", role="county", region="360803"))
    with on("2022-05-20"):
        page = client.get("/").content.decode()
        listed = client.get("/coverage/overview/blindspots/uncovered/?changed=became").content.decode()
        ours = client.get(f"/registry/organizations/{may['jia'].pk}/")
    became = group(page, "coverage.blindspots_became")
    assert "青原己建材公司" in became
    for name in ("吉州甲科技公司", "吉州丙网络公司", "吉州丁物流公司"):
        assert name not in page and name not in listed
    assert "青原己建材公司" in listed
    assert ours.status_code == 404


def test_a_bad_since_date_is_said_in_chinese(may, client_for):
    client = client_for(may["county"])
    with on("2022-05-20"):
        page = client.get("/coverage/overview/blindspots/uncovered/?changed=became&since=5月1日")
    assert page.status_code == 200
    assert "日期“5月1日”格式不对" in page.content.decode()
