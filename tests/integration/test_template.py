"""The 五融入五提升 import template: offered on the import page and the list, and re-imported
cleanly once a clerk fills it in."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from liangxin.integration.models import Assessment
from tests.factories import fill_template
from tests.integration.test_assessments import covered

pytestmark = pytest.mark.django_db


def test_the_import_page_and_the_list_offer_the_template(office, client_for):
    client = client_for(office)
    url = reverse("integration:import_template")
    assert url in client.get(reverse("data_import")).content.decode()
    assert url in client.get(reverse("integration:list")).content.decode()


def test_a_filled_template_imports_cleanly_and_again_changes_nothing(office, client_for, tmp_path):
    org = covered("吉州机械厂")
    response = client_for(office).get(reverse("integration:import_template"))
    headers_row = {
        "统一社会信用代码": org.credit_code,
        "组织名称": org.name,
        "评估年度": 2022,
        "评估人": "吉州区两新工委",
        "评估日期": "2022-11-30",
    }
    scores = dict(
        zip([h for h in _headers(response) if h.endswith("（分）")], [5, 4, 3, 4, "4分"], strict=True)
    )
    response = client_for(office).get(reverse("integration:import_template"))
    path = fill_template(response, tmp_path / "五融入五提升.xlsx", [headers_row | scores])
    first = _import(path)
    assert [s["type"] for s in first] == ["integration"]
    assert (first[0]["created"], first[0]["errors"], first[0]["warnings"]) == (1, [], [])
    assert Assessment.objects.get().scores == [5, 4, 3, 4, 4]
    again = _import(path)[0]
    assert (again["created"], again["unchanged"], again["errors"]) == (0, 1, [])


def _headers(response) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [c.value for c in book.worksheets[0][1]]


def _import(path) -> list[dict]:
    out = io.StringIO()
    call_command("import_data", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())["sheets"]
