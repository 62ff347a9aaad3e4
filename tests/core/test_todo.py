"""The 工作台 of each role lists what that user has to do next, within their jurisdiction, and
every item links to a page that finishes it."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from liangxin.dispatch import reports
from liangxin.dispatch.models import Notice
from liangxin.registry.models import FollowUp
from tests.coverage.factories import make_instructor
from tests.dispatch.factories import at, make_period, make_task, submit, unit
from tests.factories import make_area, make_user
from tests.registry.factories import make_org

SHANGHAI = timezone.get_default_timezone()


def on(day: str, hour: int = 10):
    return time_machine.travel(
        datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI), tick=False
    )


def home(client) -> str:
    return client.get(reverse("home")).content.decode()


def group(page: str, key: str) -> str:
    """The HTML of one to-do group ('' when the page has none)."""
    m = re.search(rf'<div class="card todo-group"[^>]*data-todo="{re.escape(key)}">(.*?)</ul>', page, re.S)
    return m[1] if m else ""


def links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'<li[^>]*><a href="([^"]+)"', html)]


@pytest.fixture
def may(city):
    """May 2022: 交通运输局 leads three tasks; one submitted, one drafted, one untouched; an
    April report was returned to it."""
    april, may = make_period("2022-04"), make_period("2022-05")
    done = make_task("1", title="成立物流行业党委", deadline=None)
    drafted = make_task("2", title="快递小哥暖心驿站", deadline=None)
    make_task("3", title="货车司机党员摸排", deadline=None)
    make_task("4", title="社会组织党建", lead="民政局", deadline=None)
    submit(done, "交通运输局", may, when="2022-05-10")
    reports.save_report(
        actor=None, task=drafted, unit=unit("交通运输局"), period=may,
        data={"status": "on_track", "percent": 10, "progress": "起草中", "problems": "", "next_steps": ""},
        submit=False, at=at("2022-05-12"),
    )  # fmt: skip
    returned = submit(done, "交通运输局", april, when="2022-04-20")
    reports.return_report(returned, actor=None, comment="请补充驿站数量", at=at("2022-04-28"))
    Notice.objects.create(
        unit=unit("交通运输局"), period=may, kind="due_soon", key="k1", message="5月报告即将截止"
    )
    return may


def test_a_member_unit_sees_its_reports_due_its_returned_report_and_notices(may, client_for):
    client = client_for(make_user("jt", role="member_unit", member_unit="交通运输局"))
    with on("2022-05-20"):
        page = home(client)
    due = group(page, "dispatch.due")
    assert "2 货车司机党员摸排" in due or "3 货车司机党员摸排" in due
    assert "快递小哥暖心驿站" in due and "草稿未报送" in due and "尚未填写" in due
    assert "成立物流行业党委" not in due  # submitted: nothing to do
    assert "请补充驿站数量" in group(page, "dispatch.returned")
    assert "5月报告即将截止" in group(page, "dispatch.notices")
    assert "社会组织党建" not in page  # another unit's task
    for url in links(due) + links(group(page, "dispatch.returned")):
        with on("2022-05-20"):
            assert client.get(url).status_code == 200  # the report form that finishes it
    with on("2022-05-20"):
        nav = client.get(reverse("dispatch:mine")).content.decode()
    assert re.search(r'title="待办事项 (\d+) 条">\1<', nav).group(1) == "4"  # 2 due + 1 returned + 1 notice


def test_after_the_due_day_the_units_items_are_marked_overdue(may, client_for):
    client = client_for(make_user("jt", role="member_unit", member_unit="交通运输局"))
    with on("2022-05-27"):
        due = group(home(client), "dispatch.due")
    assert due.count("已逾期") == 2


def test_the_office_sees_reports_to_review_units_behind_near_the_due_day_and_the_bulletin(
    may, client_for, office
):
    client = client_for(office)
    with on("2022-05-15"):
        early = home(client)
    assert "交通运输局：1 成立物流行业党委" in group(early, "dispatch.review")
    assert "报送于 2022-05-" in group(early, "dispatch.review")
    assert re.search(r"报送于 2022-05-\d\d 10:00", group(early, "dispatch.review"))  # Shanghai time
    assert group(early, "dispatch.not_reported") == ""  # ten days before the due day: not yet
    assert "2022年4月通报" in group(early, "documents.bulletin")
    client = client_for(office)  # a week later: a new session (idle sessions end after 30 minutes)
    with on("2022-05-23"):
        near = home(client)
    behind = group(near, "dispatch.not_reported")
    assert "交通运输局" in behind and "还有 2 项未报送" in behind and "民政局" in behind
    for url in (
        links(group(near, "dispatch.review")) + links(behind) + links(group(near, "documents.bulletin"))
    ):
        with on("2022-05-23"):
            assert client.get(url).status_code == 200


def test_a_county_sees_its_followups_and_not_another_countys(city, client_for):
    ours = make_org("吉州区某快递公司", region="360802001")
    theirs = make_org("青原区某物流公司", region="360803001")
    for org, due in ((ours, datetime.date(2022, 5, 18)), (theirs, datetime.date(2022, 5, 18))):
        FollowUp.objects.create(organization=org, kind=FollowUp.Kind.NEW, due_on=due)
    FollowUp.objects.create(organization=ours, kind=FollowUp.Kind.CLOSED, due_on=datetime.date(2022, 7, 1))
    client = client_for(make_user("jz", role="county", region="360802"))
    with on("2022-05-20"):
        page = home(client)
    followups = group(page, "registry.followups")
    assert "吉州区某快递公司" in followups and "已逾期" in followups and "逾期 1 件" in page
    assert "青原区某物流公司" not in page
    assert "注销" not in followups  # due in July: not yet
    with on("2022-05-20"):
        assert "吉州区某快递公司" in client.get(links(followups)[0]).content.decode()


def test_an_instructor_sees_the_organizations_it_guides(city, client_for):
    guided = make_org("习溪桥某科技公司")
    make_org("别人指导的公司")
    user = make_user("zdy", role="instructor")
    make_instructor("王指导", guided, user=user)
    client = client_for(user)
    page = home(client)
    assert "习溪桥某科技公司" in group(page, "coverage.guided") and "别人指导的公司" not in page
    assert client.get(links(group(page, "coverage.guided"))[0]).status_code == 200


def test_an_instructor_is_asked_to_visit_what_it_has_not_visited_lately(city, client_for):
    from liangxin.coverage.models import Visit

    visited, not_lately = make_org("习溪桥某科技公司"), make_org("吉州快递网点")
    user = make_user("zdy", role="instructor")
    instructor = make_instructor("王指导", visited, not_lately, user=user)
    Visit.objects.create(
        instructor=instructor, organization=visited, visited_on="2022-05-01", work_done="指导"
    )
    Visit.objects.create(
        instructor=instructor, organization=not_lately, visited_on="2022-01-20", work_done="指导"
    )
    client = client_for(user)
    with on("2022-05-20"):  # 90 days back reach 2022-02-20
        due = group(home(client), "coverage.visits_due")
    assert "吉州快递网点" in due and "习溪桥某科技公司" not in due
    with on("2022-05-20"):
        form = client.get(links(due)[0]).content.decode()
    assert f'<option value="{not_lately.pk}" selected>吉州快递网点</option>' in form  # chosen already


def test_the_headline_figures_are_the_coverage_engines_for_the_users_jurisdiction(city, client_for):
    make_org("吉州区甲公司", region="360802001")
    make_org("吉州区乙公司", region="360802001")
    make_org("青原区丙公司", region="360803001")
    page = home(client_for(make_user("jz", role="county", region="360802")))
    tile = re.search(r'<span class="tile-label">两新组织</span><strong class="tile-value">([^<]+)<', page)
    assert tile[1] == "2"
    assert re.search(r'组织覆盖率</span><strong class="tile-value">0\.0%<', page)


def test_a_user_with_nothing_to_do_is_told_so(city, client_for):
    park = make_area("井冈山经开区", "360802")
    page = home(client_for(make_user("yq", role="park", area=park)))
    assert "暂无待办事项" in page
    assert re.search(r'组织覆盖率</span><strong class="tile-value">—<', page)  # no organizations: no rate
