"""Organizations as offices write them (domain.md §8): a bad value in a field that decides no
figure is a warning and the organization is imported; 市本级 organizations belong to the city."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from liangxin.registry.models import Organization
from tests.factories import make_user
from tests.registry.factories import credit_code, make_org, write_workbook

pytestmark = pytest.mark.django_db

CODE = credit_code(division="360802", serial=8101)
CITY_CODE = credit_code(prefix="51", division="360800", serial=8102)
NANCHANG = credit_code(division="360100", serial=8103)  # registered in another city
HEADER = [
    "统一社会信用代码",
    "组织名称",
    "所属区划",
    "联系电话",
    "地址",
    "主管单位",
    "所属园区",
    "正式党员数",
]


def import_json(path, *args):
    out = io.StringIO()
    call_command("import_data", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())["sheets"][0]


def test_a_bad_phone_an_unknown_unit_and_an_unknown_park_are_warnings(city, tmp_path):
    path = write_workbook(
        tmp_path / "orgs.xlsx",
        [HEADER, [CODE, "吉州甲公司", "古南街道", "12345", "古南路 1 号", "市发改委", "不存在的园区", 4]],
    )
    sheet = import_json(path)
    assert (sheet["created"], sheet["rejected"], sheet["errors"]) == (1, 0, [])
    assert [(w["row"], w["column"]) for w in sheet["warnings"]] == [
        (2, "所属园区"),
        (2, "主管单位"),
        (2, "联系电话"),
    ]
    org = Organization.objects.get()
    assert (org.phone, org.supervising_unit, org.area, org.address, org.party_members) == (
        "",
        None,
        None,
        "古南路 1 号",
        4,
    )


def test_an_existing_organization_keeps_the_value_a_bad_cell_would_have_replaced(city, tmp_path):
    make_org("吉州甲公司", code=CODE, phone="13800001111")
    path = write_workbook(
        tmp_path / "orgs.xlsx", [HEADER[:4], [CODE, "吉州甲公司（更名）", "古南街道", "电话待补"]]
    )
    sheet = import_json(path)
    assert sheet["updated"] == 1 and len(sheet["warnings"]) == 1
    org = Organization.objects.get()
    assert (org.name, org.phone) == ("吉州甲公司（更名）", "13800001111")


def test_the_same_file_again_warns_again(city, tmp_path):
    path = write_workbook(tmp_path / "orgs.xlsx", [HEADER[:4], [CODE, "吉州甲公司", "古南街道", "12345"]])
    assert len(import_json(path)["warnings"]) == 1
    again = import_json(path)
    assert again["unchanged"] == 1 and len(again["warnings"]) == 1


def test_the_error_workbook_lists_the_warned_rows_in_a_sheet_of_their_own(city, tmp_path):
    bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    path = write_workbook(
        tmp_path / "orgs.xlsx",
        [HEADER[:4], [CODE, "吉州甲公司", "古南街道", "12345"], [bad, "吉州乙公司", "古南街道", None]],
    )
    errors = tmp_path / "errors.xlsx"
    import_json(path, f"--errors={errors}")
    book = load_workbook(errors)
    assert book.sheetnames == ["Sheet1-错误", "Sheet1-警告"]
    warned = list(book["Sheet1-警告"].iter_rows(values_only=True))
    assert warned[0][0] == "原行号" and warned[0][-1] == "警告"
    assert warned[1][0] == 2 and "联系电话" in warned[1][-1]
    assert list(book["Sheet1-错误"].iter_rows(values_only=True))[1][0] == 3


def test_a_city_level_organization_is_the_citys_own(city, tmp_path):
    path = write_workbook(
        tmp_path / "orgs.xlsx",
        [
            ["统一社会信用代码", "组织名称", "所属区划"],
            [CITY_CODE, "吉安市律师协会", None],  # positions 3–8 = 360800
            [credit_code(division="360802", serial=8104), "市直物业公司", "市本级"],
            [credit_code(division="360802", serial=8105), "市直餐饮公司", "360800"],
            [NANCHANG, "南昌某公司", None],
        ],
    )
    sheet = import_json(path)
    assert (sheet["created"], sheet["rejected"]) == (3, 1)
    assert "也不在吉安市" in sheet["errors"][0]["message"] and sheet["errors"][0]["row"] == 5
    for org in Organization.objects.all():
        assert org.region == city and org.county_code == ""


def test_a_county_user_cannot_write_a_city_level_organization(city, tmp_path):
    make_user("jz", role="county", region="360802")
    path = write_workbook(
        tmp_path / "orgs.xlsx", [["统一社会信用代码", "组织名称"], [CITY_CODE, "吉安市律师协会"]]
    )
    sheet = import_json(path, "--user=jz")
    assert sheet["created"] == 0 and sheet["rejected"] == 1
    assert "不在您的管辖范围内" in sheet["errors"][0]["message"]
    assert not Organization.objects.exists()


def test_the_edit_form_still_asks_for_a_good_phone(city, office, client_for):
    org = make_org("吉州甲公司", code=CODE)
    page = client_for(office).post(
        reverse("registry:organization_edit", args=[org.pk]),
        {"name": "吉州甲公司（改）", "region": "360802001", "status": "存续", "phone": "12345",
         "party_members": "0", "probationary_members": "0"},
    )  # fmt: skip
    assert page.status_code == 200 and 'id="id_phone_error"' in page.content.decode()
    assert Organization.objects.get().name == "吉州甲公司"  # nothing saved: the form asks again


def test_a_village_written_as_the_place_files_the_organization_under_its_township(city, tmp_path):
    path = write_workbook(
        tmp_path / "orgs.xlsx",
        [
            ["统一社会信用代码", "组织名称", "所属区划"],
            [credit_code(division="360802", serial=8106), "桃树下物业公司", "360802001001"],
            [credit_code(division="360802", serial=8107), "城溪农业公司", "雩田镇 城溪村"],
        ],
    )
    sheet = import_json(path)
    assert (sheet["created"], sheet["rejected"]) == (2, 0)
    assert Organization.objects.get(name="桃树下物业公司").region.code == "360802001"
    assert Organization.objects.get(name="城溪农业公司").region.code == "360827101"
