"""The import templates of 结对共建 and 重点帮扶村: offered on the import page, a blank sheet and a
填表说明, and a template filled in as a clerk would re-imports cleanly."""

import pytest
from django.urls import reverse

from liangxin.core.models import Region
from liangxin.pairings.models import Pairing, PairingProject
from tests.factories import fill_template
from tests.pairings.test_pairings import TAOSHUXIA, import_json
from tests.registry.factories import make_org

pytestmark = pytest.mark.django_db


def test_the_import_page_offers_both_templates(office, client_for):
    page = client_for(office).get(reverse("data_import")).content.decode()
    assert reverse("pairings:import_template", args=["pairings"]) in page
    assert reverse("pairings:import_template", args=["key-villages"]) in page


def test_a_filled_pairing_template_imports_cleanly_and_again_changes_nothing(office, client_for, tmp_path):
    org = make_org("吉州建工集团", region="360802001")
    response = client_for(office).get(reverse("pairings:import_template", args=["pairings"]))
    assert response["Content-Disposition"].endswith(".xlsx")
    row = {
        "统一社会信用代码": org.credit_code,
        "组织名称": org.name,
        "结对村（社区）": "桃树下社区",
        "所属乡镇（街道）": "古南街道",
        "结对开始日期": "2022-03-01",
        "项目年度": 2022,
        "项目名称": "社区食堂",
        "项目类型": "公益",
        "投入资金（万元）": 12.5,
        "受益人数": 80,
        "项目状态": "实施中",
    }
    path = fill_template(response, tmp_path / "结对共建.xlsx", [row])
    sheets = import_json(path)
    assert list(sheets) == ["pairings"]  # the 填表说明 sheet is read as notes, not as data
    sheet = sheets["pairings"]
    assert (sheet["created"], sheet["rejected"], sheet["errors"], sheet["warnings"]) == (1, 0, [], [])
    pairing = Pairing.objects.get()
    assert pairing.village.code == TAOSHUXIA
    assert PairingProject.objects.get().title == "社区食堂"
    again = import_json(path)["pairings"]
    assert (again["created"], again["unchanged"], again["errors"]) == (0, 1, [])


def test_a_filled_key_village_template_imports_cleanly(office, client_for, tmp_path):
    response = client_for(office).get(reverse("pairings:import_template", args=["key-villages"]))
    rows = [
        {"村（社区）": TAOSHUXIA, "是否重点帮扶村": "是"},
        {"村（社区）": "城溪村", "所属乡镇（街道）": "雩田镇", "是否重点帮扶村": "√"},
    ]
    path = fill_template(response, tmp_path / "重点帮扶村.xlsx", rows)
    sheet = import_json(path)["key_villages"]
    assert (sheet["updated"], sheet["rejected"], sheet["errors"], sheet["warnings"]) == (2, 0, [], [])
    assert set(Region.objects.filter(key_village=True).values_list("code", flat=True)) == {
        TAOSHUXIA,
        "360827101202",
    }


def test_the_template_explains_each_column(office, client_for):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for(office).get(reverse("pairings:import_template", args=["pairings"]))
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["结对共建导入模板", "填表说明"]
    notes = {row[0]: row for row in book["填表说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["统一社会信用代码"][1] == "必填" and "管辖范围" in notes["统一社会信用代码"][3]
    assert notes["项目类型"][3] == "产业、就业、消费、公益、教育、其他"


def test_an_unknown_template_is_404(office, client_for):
    assert client_for(office).get(reverse("pairings:import_template", args=["nothing"])).status_code == 404
