"""The stations and 驿站 sheets (errors and warnings as the registry's, domain.md §8), and the
figures as of a date — `liangxin workforce --json` against counts built by hand."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command

from liangxin.core.models import AuditLog
from liangxin.coverage.models import Formation
from liangxin.workforce.models import Posthouse, Station
from tests.coverage.factories import credit_code, make_instructor, make_org, make_party_org, write_workbook
from tests.workforce.factories import make_posthouse, make_station

pytestmark = pytest.mark.django_db
HEADER = ["平台/企业名称", "站点名称", "群体类型", "站点类型", "所属乡镇（街道）", "地址", "从业人数", "正式党员数",
          "预备党员数", "党员先锋岗数", "统一社会信用代码", "设立日期", "备注列"]  # fmt: skip
POSTHOUSE_HEADER = ["驿站名称", "驿站类型", "主办单位", "服务内容", "所属乡镇（街道）", "服务站点"]


def run(*args) -> dict:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_the_sheets_import_with_errors_and_warnings_named_by_row_and_column(city, tmp_path):
    org = make_org("顺丰吉州分公司", region="360802001")
    unknown_code = credit_code(division="360802")
    path = write_workbook(
        tmp_path / "站点.xlsx",
        {
            "站点": [
                ["2026年新就业群体站点台账"],
                HEADER,
                [
                    "顺丰速运",
                    "古南网点",
                    "快递",
                    "快递网点",
                    "古南街道",
                    "人民路1号",
                    30,
                    3,
                    1,
                    2,
                    org.credit_code,
                    "2024-03-01",
                    "x",
                ],
                ["美团", "城北站", "外卖员", "", "古南街道", "", 50, 0, 0, 0, unknown_code, "", ""],
                ["美团", "城南站", "外卖", "外卖站点", "火星街道", "", 10, 0, 0, 0, "", "", ""],
                ["滴滴", "服务站", "网约车", "", "古南街道", "", -1, 0, 0, 0, "", "", ""],
                ["顺丰速运", "古南网点", "快递", "", "古南街道", "", 1, 0, 0, 0, "", "", ""],
            ],
            "驿站": [
                POSTHOUSE_HEADER,
                [
                    "古南暖心驿站",
                    "暖心驿站",
                    "古南街道党工委",
                    "饮水、充电、休息",
                    "古南街道",
                    "顺丰速运·古南网点、不存在的站",
                ],
            ],
        },
    )
    data = run("import_data", path, "--json")
    sheets = {s["type"]: s for s in data["sheets"]}
    stations = sheets["workforce_stations"]
    assert (stations["created"], stations["rejected"]) == (2, 3)
    errors = {(e["row"], e["column"]) for e in stations["errors"]}
    assert (5, "所属乡镇（街道）") in errors
    assert (6, "从业人数") in errors
    assert (7, "站点名称") in errors and any("与第 3 行" in e["message"] for e in stations["errors"])
    warnings = {(w["row"], w["column"]): w["message"] for w in stations["warnings"]}
    assert "不在两新组织台账中" in warnings[(4, "统一社会信用代码")]
    assert (2, "备注列") in warnings  # a header not understood is said, not ignored
    station = Station.objects.get(name="古南网点")
    assert station.organization == org and station.members_full == 3 and station.region.code == "360802001"
    assert Station.objects.get(name="城北站").organization is None
    posthouse = Posthouse.objects.get()
    assert list(posthouse.stations.all()) == [station]
    assert "不存在的站" in sheets["workforce_posthouses"]["warnings"][0]["message"]
    assert AuditLog.objects.filter(action="workforce.station.created", object_id=str(station.pk)).exists()
    again = run("import_data", path, "--json")
    assert {s["type"]: s["created"] + s["updated"] for s in again["sheets"]} == {
        "workforce_stations": 0,
        "workforce_posthouses": 0,
    }


def test_workforce_json_equals_the_counts_built_by_hand(city):
    single = make_org("顺丰吉州", region="360802001")
    make_party_org("顺丰吉州党支部", single, founded_on=datetime.date(2026, 3, 1))
    guided = make_org("美团青原", region="360803001")
    make_instructor("李指导", guided, starts_on=datetime.date(2026, 1, 1))
    joint = make_org("京东吉州", region="360802002")
    make_party_org("联合支部", joint, formation=Formation.JOINT, founded_on=datetime.date(2026, 6, 1))
    bare = make_org("中通吉州", region="360802001")
    a = make_station(
        "A", platform="顺丰速运", organization=single, headcount=30, members_full=3, members_probationary=1
    )
    b = make_station("B", platform="顺丰速运", organization=bare, headcount=10, members_full=1)
    make_station("C", platform="京东物流", organization=joint, headcount=20, region="360802002")
    d = make_station("D", platform="美团", group_type="delivery", kind="delivery_site", region="360803001",
                     organization=guided, headcount=80, members_full=2)  # fmt: skip
    make_station(
        "E", platform="美团", group_type="delivery", headcount=5, established_on=datetime.date(2026, 7, 1)
    )
    make_station("F", platform="抖音", group_type="live", headcount=7, closed_on=datetime.date(2026, 4, 1))
    make_posthouse("古南驿站", a, b)
    make_posthouse("青原驿站", d, region="360803001")
    make_posthouse("新驿站", region="360802002", opened_on=datetime.date(2026, 9, 1))
    data = run("workforce", "--as-of", "2026-05-31", "--json")
    groups = {g["type"]: g for g in data["groups"]}
    assert groups["快递"] == {"type": "快递", "code": "express", "organizations": 2, "stations": 3, "people": 60,
                             "party_members": 5, "stations_covered": 1, "posthouses": 1}  # fmt: skip
    assert groups["外卖"] == {"type": "外卖", "code": "delivery", "organizations": 1, "stations": 1, "people": 80,
                             "party_members": 2, "stations_covered": 1, "posthouses": 1}  # fmt: skip
    assert groups["网络直播"]["stations"] == 0  # closed in April
    assert data["total"] == {"type": "合计", "organizations": 3, "stations": 4, "people": 140, "party_members": 7,
                             "stations_covered": 2, "posthouses": 2}  # fmt: skip
    later = run("workforce", "--as-of", "2026-09-30", "--json")
    assert later["total"]["stations_covered"] == 3  # the joint branch from June
    assert later["total"]["stations"] == 5 and later["total"]["posthouses"] == 3


def test_a_bad_date_is_a_clear_message(city):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--as-of"):
        call_command("workforce", "--as-of", "2026-13-45")


def test_the_template_reads_back_as_both_sheets_and_the_navigation_opens_the_section(
    city, client_for, tmp_path
):
    from tests.factories import make_user

    client = client_for(make_user("xz360802001", role="township", region="360802001"))
    response = client.get("/workforce/template.xlsx")
    path = tmp_path / "模板.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    data = run("import_data", str(path), "--json", "--dry-run")
    assert {s["type"] for s in data["sheets"]} == {"workforce_stations", "workforce_posthouses"}
    home = client.get("/").content.decode()
    assert 'href="/workforce/"' in home
