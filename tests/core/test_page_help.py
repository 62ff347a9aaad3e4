"""使用说明 on every page: each page of the URL table that renders the site's layout shows a
collapsible help panel, in the words of the reader's role's manual section for that page."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from liangxin.core import help
from tests.factories import make_user
from tests.test_url_scope_table import URLS, Row, _args, url_names, users, world  # noqa: F401

NO_PANEL = {
    "login": "anonymous",
    "logout": "POST only",
    "not_built": "a notice about a section not built",
    "core:manual": "the manual itself",
    "core:manual_for": "the manual itself",
}
PANEL = 'class="help page-help"'


def _url(name: str, world) -> str | None:  # noqa: F811
    entry = URLS[name]
    try:
        if isinstance(entry, Row):
            return reverse(name, args=_args(entry.thing, world[entry.thing]))
        return reverse(name)
    except NoReverseMatch:
        return None  # needs a key the table does not build (a file, a token): not a page of its own


@pytest.mark.django_db
def test_every_page_with_the_layout_shows_its_help(client, users, world):  # noqa: F811
    readers = [*users.values(), make_user("sec", role="secadmin"), make_user("aud", role="auditadmin")]
    shown, missing = [], []
    for name in url_names():
        if name in NO_PANEL or name.startswith(("api_v1:", "sentinel:")):
            continue
        url = _url(name, world)
        if url is None:
            continue
        for reader in readers:
            client.force_login(reader)
            response = client.get(url)
            html = response.get("Content-Type", "").startswith("text/html")
            if response.status_code == 200 and html and b'<main class="main"' in response.content:
                (shown if PANEL.encode() in response.content else missing).append(name)
                break
    assert not missing, f"pages without 使用说明: {missing}"
    assert len(shown) >= 90, shown  # most of the site (93 pages today), each read by some role


def test_the_panel_is_the_readers_manual_section(client, city):
    unit = make_user("jt", role="member_unit", member_unit="交通运输局")
    client.force_login(unit)
    page = client.get(reverse("dispatch:mine")).content.decode()
    panel = page.split(PANEL)[1].split("</details>")[0]
    assert "“保存草稿”不算报送，点“报送”才算" in panel  # the 成员单位 manual's 本月填报
    manual = client.get(reverse("core:manual")).content.decode()
    assert panel.split("<p>")[1].split("</p>")[0].strip() in manual
    assert reverse("core:manual") in panel


def test_a_role_without_its_own_words_reads_everyones(client, city):
    county = make_user("taihe", role="county", region="360826")
    client.force_login(county)
    page = client.get(reverse("dispatch:board")).content.decode()
    assert "任务 × 单位的亮灯表" in page.split(PANEL)[1]


def test_every_manual_topic_and_page_topic_has_a_text():
    topics = set(help.PAGE_TOPICS.values()) | {t for ts in help.MANUAL_TOPICS.values() for t in ts}
    for topic in topics:
        assert help.template_of(topic, "office"), topic


def test_the_longest_prefix_names_the_topic():
    assert help.topic_of("coverage:instructor_visit_create") == "visits"
    assert help.topic_of("coverage:instructors") == "instructors"
    assert help.topic_of("dispatch:report_return") == "review"
    assert help.topic_of("dispatch:report_edit") == "reports"
    assert help.topic_of("api_v1:tasks") is None
