"""催报与预警: unit, light and text filters, a page per table that keeps the query, empty states,
the printable layout, and nothing of another unit's tasks."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from liangxin.dispatch.models import Task
from tests.dispatch.factories import make_period, make_task, submit, unit
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date
URL = reverse("dispatch:chase")
DEPARTMENTS = ("民政局", "邮政管理局", "司法局", "财政局")  # in the committee's order
COUNTIES = ("吉州区委组织部", "青原区委组织部")


@pytest.fixture(autouse=True)
def after_the_due_day():
    with time_machine.travel("2022-05-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def may(city):
    period = make_period("2022-05")
    logistics = make_task("1", title="成立物流行业党委", units=DEPARTMENTS + COUNTIES, deadline=None)
    make_task(
        "2", title="快递网点党建", lead="邮政管理局", units=("吉州区委组织部",), deadline=D(2022, 4, 30)
    )
    submit(logistics, "交通运输局", period, when="2022-05-20")
    return period


def _table(page: str, css: str) -> str:
    """The body of one table of the page ('' when it is not there)."""
    found = re.search(rf'<table class="data-table {css}">(.*?)</table>', page, re.S)
    return found.group(1) if found else ""


def _units(table: str) -> list[str]:
    return re.findall(r"<tr[^>]*><td>([^<]+)</td><td class=\"num\">", table)


def _links(page: str, label: str) -> list[str]:
    return [
        href.replace("&amp;", "&") for href in re.findall(rf'<a [^>]*href="\?([^"]*)"[^>]*>{label}</a>', page)
    ]


def test_each_table_pages_on_its_own_and_keeps_the_filters(may, office, client_for, settings):
    settings.LIANGXIN_PAGE_SIZE = 2
    client = client_for(office)
    page = client.get(URL + "?period=2022-05&kind=department").content.decode()
    assert _units(_table(page, "missing-units")) == ["民政局", "邮政管理局"]
    assert "共 4 条，第 1/2 页" in page
    assert "一键提醒全部 6 个单位" in page  # the button reminds every unit, whatever is shown
    [next_missing, next_flagged] = _links(page, "下一页")
    assert next_missing == "period=2022-05&kind=department&page=2"
    assert next_flagged == "period=2022-05&kind=department&page_flagged=2"

    second = client.get(URL + "?" + next_missing).content.decode()
    assert _units(_table(second, "missing-units")) == ["司法局", "财政局"]
    # the other table's pages keep this table's page and the filters
    flagged_next = _links(second, "下一页")[-1]
    assert flagged_next == "period=2022-05&kind=department&page=2&page_flagged=2"
    flagged_page = client.get(URL + "?" + flagged_next).content.decode()
    assert _units(_table(flagged_page, "missing-units")) == ["司法局", "财政局"]
    assert "共 5 条，第 2/3 页" in flagged_page  # 4 departments lag on task 1, 邮政管理局 is late on task 2


def test_filters_narrow_the_tables(may, office, client_for):
    client = client_for(office)
    by_unit = client.get(URL + f"?period=2022-05&unit={unit('司法局').pk}").content.decode()
    assert _units(_table(by_unit, "missing-units")) == ["司法局"]
    flagged = _table(by_unit, "flagged-tasks")
    assert "司法局" in flagged and "民政局" not in flagged

    counties = client.get(URL + "?period=2022-05&kind=county_org").content.decode()
    assert _units(_table(counties, "missing-units")) == list(COUNTIES)

    by_text = client.get(URL + "?period=2022-05&q=快递网点").content.decode()
    assert _units(_table(by_text, "missing-units")) == ["邮政管理局", "吉州区委组织部"]
    assert "成立物流行业党委" not in _table(by_text, "flagged-tasks")
    assert "快递网点党建" in _table(by_text, "flagged-tasks")
    by_name = client.get(URL + "?period=2022-05&q=民政").content.decode()
    assert _units(_table(by_name, "missing-units")) == ["民政局"]

    red = _table(client.get(URL + "?period=2022-05&light=red").content.decode(), "flagged-tasks")
    assert "逾期" in red and "滞后" not in red and "快递网点党建" in red
    yellow = _table(client.get(URL + "?period=2022-05&light=yellow").content.decode(), "flagged-tasks")
    assert "滞后" in yellow and "快递网点党建" not in yellow


def test_nothing_matching_says_so_and_still_offers_to_remind_everyone(may, office, client_for):
    page = client_for(office).get(URL + "?period=2022-05&q=没有这个任务").content.decode()
    assert "没有符合条件的未报送单位（共 6 个单位未报送）" in page
    assert "没有符合条件的逾期或滞后任务" in page
    assert "一键提醒全部 6 个单位" in page
    assert "清除筛选" in page


def test_a_unit_leading_no_task_is_told_what_the_page_is_for(may, client_for):
    page = client_for(make_user("sf", role="member_unit", member_unit="司法局")).get(URL).content.decode()
    assert "您的单位没有牵头的重点任务" in page
    assert "missing-units" not in page


def test_odd_filter_values_are_ignored_not_an_error(may, office, client_for):
    response = client_for(office).get(URL + "?period=2022-05&unit=abc&kind=x&light=purple&page=zz")
    assert response.status_code == 200
    assert len(_units(_table(response.content.decode(), "missing-units"))) == 6


def test_the_printable_layout_shows_every_row_and_the_filters(may, office, client_for, settings):
    settings.LIANGXIN_PAGE_SIZE = 2
    client = client_for(office)
    page = client.get(URL + "?period=2022-05&kind=department&page=2").content.decode()
    [print_link] = _links(page, "打印版")
    assert "page=" not in print_link and "kind=department" in print_link
    printed = client.get(URL + "?" + print_link).content.decode()
    assert _units(_table(printed, "missing-units")) == list(DEPARTMENTS)
    assert 'class="pagination"' not in printed
    assert "单位类别：市直部门" in printed and "截至 2022年5月27日" in printed
    assert "data-print" in printed  # the print button (app.js; no inline onclick under the CSP)
    assert 'class="filter-bar"' not in printed


class TestAnotherUnitsTasksStayHiddenWhateverTheFilters(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, may):
        make_task("3", title="社会组织党建", lead="民政局", deadline=None)
        task = Task.objects.get(code="2")
        q = "?period=2022-05"
        postal = unit("邮政管理局").pk
        return ScopeCase(
            obj=task,
            insider=make_user("yz", role="member_unit", member_unit="邮政管理局"),
            outsider=make_user("mz", role="member_unit", member_unit="民政局"),
            marker="快递网点党建",
            list_urls=[
                URL + q + "&print=1",
                URL + q + "&q=快递",
                URL + q + f"&unit={postal}",
                URL + q + "&light=red&page_flagged=1",
            ],
        )
