"""年度考核 page: the same figures as `liangxin assessment --json`, filters by year, date and
weights, and its .xlsx and 公文 downloads (office only)."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
import time_machine
from django.urls import reverse

from liangxin.core.models import AuditLog
from tests.documents.test_assessment import assessment_json, year  # noqa: F401 (the hand-computed case)
from tests.factories import make_user

URL = reverse("documents:assessment")
QUERY = {"year": "2022", "as_of": "2022-05-31"}


@pytest.fixture(autouse=True)
def in_june_2022():
    with time_machine.travel("2022-06-15 10:00 +0800", tick=False):
        yield


def _table(page: str) -> list[list[str]]:
    import re

    body = page.split('id="assessment-table"')[1].split("</table>")[0].split("<tbody>")[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("</tr>") if "<td" in row]


def _num(text: str):
    return None if text == "—" else float(text)


def test_the_page_shows_what_the_command_computes(client, office, year):  # noqa: F811
    client.force_login(office)
    page = client.get(URL, QUERY).content.decode()
    units = assessment_json()
    rows = _table(page)
    assert [r[1] for r in rows] == ["交通运输局", "民政局", "司法局", "邮政管理局"]
    for rank, unit, monthly_avg, _months, _due, done, *_rest, gain, ledger, score in rows:
        expected = units[unit]
        assert int(rank) == expected["rank"]
        assert _num(monthly_avg) == expected["monthly_avg"] and _num(score) == expected["score"]
        assert int(done) == expected["tasks_done_on_time"] and _num(gain) == expected["coverage_gain"]
        assert _num(ledger) == expected["ledger"]
    assert "考核得分 =（50 × 月度平均分 + 20 × 按期完成率 × 100 + 15 × 覆盖提升分 + 15 × 台账成绩分）" in page


def test_other_weights_can_be_tried_and_the_page_says_so(client, office, year, settings):  # noqa: F811
    client.force_login(office)
    page = client.get(URL, {**QUERY, "w1": "100", "w2": "0", "w3": "0", "w4": "0"}).content.decode()
    scores = {r[1]: _num(r[-1]) for r in _table(page)}
    settings.LIANGXIN_ASSESSMENT_WEIGHTS = (100, 0, 0, 0)
    assert scores == {u: d["score"] for u, d in assessment_json().items()}
    assert "当前为试算权重" in page


def test_bad_weights_get_a_chinese_message_not_an_error(client, office, year):  # noqa: F811
    client.force_login(office)
    response = client.get(URL, {**QUERY, "w1": "0"})
    assert response.status_code == 200
    assert "月度平均分的权重不能为 0" in response.content.decode()
    page = client.get(URL, {**QUERY, "w2": "abc"}).content.decode()
    assert "输入整数" in page.split("按期完成率权重")[1][:400]  # beside the field
    download = client.get(reverse("documents:assessment_xlsx"), {**QUERY, "w1": "0"})
    assert download.status_code == 400 and "月度平均分的权重不能为 0" in download.content.decode()


def test_a_year_without_a_plan_says_so(client, office):
    client.force_login(office)
    page = client.get(URL).content.decode()
    assert "还没有已确认的重点任务清单" in page
    assert "assessment.docx" not in page  # nothing to download


def test_the_workbook_download_equals_the_command(client, office, year):  # noqa: F811
    client.force_login(office)
    response = client.get(reverse("documents:assessment_xlsx"), QUERY)
    assert response["Content-Disposition"].endswith("2022%E5%B9%B4%E5%BA%A6%E8%80%83%E6%A0%B8.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["2022年度考核"]
    units = assessment_json()
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert row[11] == units[row[1]]["score"] and row[0] == units[row[1]]["rank"]
        assert row[10] == units[row[1]]["ledger"]
    assert AuditLog.objects.filter(action="documents.assessment.downloaded", actor=office).count() == 1


def test_the_document_is_a_gongwen_with_the_ranked_table(client, office, year):  # noqa: F811
    client.force_login(office)
    response = client.get(reverse("documents:assessment_docx"), QUERY)
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    styles = {p.style.style_id: p.text for p in document.paragraphs if p.text}
    assert styles["Letterhead"] == "中共吉安市委党建工作领导小组办公室"
    assert styles["Title"] == "关于2022年度“两新”组织党建工作考核结果的通报"
    assert "2022年6月15日" in texts  # 成文日期
    assert any(t.startswith("参加排名的单位共4个") and "交通运输局位列第一" in t for t in texts)
    table = document.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == [
        "名次", "单位", "月度平均分", "按期完成率（%）", "覆盖提高百分点", "台账成绩分", "考核得分"
    ]  # fmt: skip
    units = assessment_json()
    assert [(r[1], float(r[5]), float(r[6])) for r in rows[1:]] == [
        (u, units[u]["ledger"], units[u]["score"]) for u in [r[1] for r in rows[1:]]
    ]
    assert [r[0] for r in rows[1:]] == ["1", "2", "2", "4"]  # ties share a rank


@pytest.mark.parametrize(
    "name",
    [
        "documents:assessment",
        "documents:assessment_docx",
        "documents:assessment_pdf",
        "documents:assessment_xlsx",
    ],
)
def test_only_the_office_opens_the_assessment(client, city, name):
    for role, extra in (("member_unit", {"member_unit": "邮政管理局"}), ("county", {"region": "360826"})):
        client.force_login(make_user(f"u-{role}", role=role, **extra))
        assert client.get(reverse(name), QUERY).status_code == 403
