"""结对共建: villages named as offices write them, totals equal to counts made by hand, the
重点帮扶村 flag, and nothing of another county's pairings for an outsider."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from liangxin.core.models import MemberUnit, Region
from liangxin.pairings import services
from liangxin.pairings.models import Pairing, PairingProject
from liangxin.pairings.totals import pairing_totals
from tests.factories import make_user
from tests.registry.factories import credit_code, make_org, write_workbook
from tests.scoping import OutsiderGetsNothing, ScopeCase

pytestmark = pytest.mark.django_db

TAOSHUXIA = "360802001001"  # 吉州区 古南街道 桃树下居委会
CHENGXI_SUICHUAN = "360827101202"  # 遂川县 雩田镇 城溪村委会 (新干县 has another 城溪村)
HEADER = ["统一社会信用代码", "组织名称", "结对村（社区）", "所属乡镇（街道）", "结对开始日期", "项目名称",
          "项目类型", "项目年度", "投入资金（万元）", "受益人数", "项目状态"]  # fmt: skip


def import_json(path, *args):
    out = io.StringIO()
    call_command("import_data", str(path), "--json", *args, stdout=out)
    return {s["type"]: s for s in json.loads(out.getvalue())["sheets"]}


def pair(org, code, start=datetime.date(2022, 3, 1), end=None):
    return services.save_pairing(
        None,
        actor=None,
        organization=org,
        village=Region.objects.get(code=code),
        starts_on=start,
        ends_on=end,
    )[0]


def test_a_pairing_names_its_village_by_name_under_its_township_and_by_code(city, tmp_path):
    jizhou = make_org("吉州建工集团", region="360802001")
    suichuan = make_org("遂川茶业公司", region="360827101")
    path = write_workbook(
        tmp_path / "结对.xlsx",
        [
            HEADER,
            [jizhou.credit_code, jizhou.name, TAOSHUXIA, None, "2022-03-01", "社区食堂", "公益", 2022, 12.5, 80, "实施中"],
            [suichuan.credit_code, suichuan.name, "城溪村", "雩田镇", "2022/5/1", "茶园扩种", "产业", 2022, "30", 120, "已完成"],
        ],
    )  # fmt: skip
    sheet = import_json(path)["pairings"]
    assert (sheet["created"], sheet["rejected"], sheet["errors"]) == (2, 0, [])
    assert Pairing.objects.get(organization=jizhou).village.name == "桃树下居委会"
    assert Pairing.objects.get(organization=suichuan).village.code == CHENGXI_SUICHUAN
    project = PairingProject.objects.get(title="茶园扩种")
    assert (project.funds, project.people_helped, project.get_status_display()) == (
        Decimal("30"),
        120,
        "已完成",
    )
    assert import_json(path)["pairings"]["unchanged"] == 2  # the same file again changes nothing


def test_bad_rows_are_refused_naming_row_column_and_reason(city, tmp_path):
    org = make_org("吉州建工集团", region="360802001")
    path = write_workbook(
        tmp_path / "结对.xlsx",
        [
            HEADER,
            [org.credit_code, org.name, "城溪村", None, "2022-03-01"],  # two villages share the name
            [org.credit_code, org.name, "不存在村", "古南街道", "2022-03-01"],
            [org.credit_code, org.name, TAOSHUXIA, None, "三月"],
            [credit_code(serial=9901), "不在台账的公司", TAOSHUXIA, None, "2022-03-01"],
            [org.credit_code, org.name, TAOSHUXIA, None, "2022-03-01", "助学", "捐款"],
        ],
    )
    sheet = import_json(path)["pairings"]
    assert (sheet["created"], sheet["rejected"]) == (0, 5)
    by_row = {(e["row"], e["column"]): e["message"] for e in sheet["errors"]}
    assert "360824104206" in by_row[(2, "结对村（社区）")] and "所属乡镇" in by_row[(2, "结对村（社区）")]
    assert "找不到“不存在村”" in by_row[(3, "结对村（社区）")]
    assert (4, "结对开始日期") in by_row
    assert "不在两新组织台账中" in by_row[(5, "统一社会信用代码")]
    assert "项目类型" in by_row[(6, "项目类型")] and "产业" in by_row[(6, "项目类型")]
    assert not Pairing.objects.exists()


def test_a_county_user_cannot_pair_another_countys_organization(city, tmp_path):
    make_user("jizhou", role="county", region="360802")
    other = make_org("遂川茶业公司", region="360827101")
    path = write_workbook(
        tmp_path / "结对.xlsx", [HEADER, [other.credit_code, other.name, TAOSHUXIA, None, "2022-03-01"]]
    )
    sheet = import_json(path, "--user", "jizhou")["pairings"]
    assert sheet["rejected"] == 1 and "管辖范围" in sheet["errors"][0]["message"]


def test_totals_equal_the_counts_made_by_hand(city):
    a = make_org("吉州甲", region="360802001", supervising_unit=None)
    b = make_org("吉州乙", region="360802001", supervising_unit=MemberUnit.objects.get(name="民政局"))
    c = make_org("遂川丙", region="360827101")
    Region.objects.filter(code__in=[TAOSHUXIA, CHENGXI_SUICHUAN, "360802001002"]).update(key_village=True)
    p1, p2 = pair(a, TAOSHUXIA), pair(b, TAOSHUXIA)
    p3 = pair(c, CHENGXI_SUICHUAN, start=datetime.date(2021, 1, 1), end=datetime.date(2021, 12, 31))
    services.save_project(p1, actor=None, year=2022, title="食堂", funds=10, people_helped=50)
    services.save_project(p2, actor=None, year=2022, title="助学", funds=Decimal("2.5"), people_helped=20)
    services.save_project(p3, actor=None, year=2021, title="茶园", funds=30, people_helped=100)
    totals = pairing_totals(Pairing.objects.all(), 2022, villages=Region.objects.all())
    t = totals.total
    assert (t.pairings, t.organizations, t.villages, t.key_villages) == (2, 2, 1, 1)
    assert (t.projects, t.funds, t.people_helped) == (2, Decimal("12.5"), 70)
    assert [(r.label, r.pairings, r.funds) for r in totals.by_county] == [("吉州区", 2, Decimal("12.5"))]
    assert [(r.label, r.pairings, r.projects) for r in totals.by_year] == [("2021年", 1, 1), ("2022年", 2, 2)]
    assert {r.label: (r.pairings, r.projects, r.funds, r.people_helped) for r in totals.by_unit} == {
        "民政局": (1, 1, Decimal("2.5"), 20),
        "未指定主管单位": (1, 1, Decimal("10"), 50),
    }
    # p3 ended in 2021: 城溪村 is unpaired in 2022, as is 古南镇居委会
    assert [v.code for v in totals.unpaired_key_villages] == ["360802001002", CHENGXI_SUICHUAN]


def test_the_command_gives_the_totals_as_json_within_the_users_jurisdiction(city):
    make_user("suichuan", role="county", region="360827")
    pair(make_org("吉州甲", region="360802001"), TAOSHUXIA)
    out = io.StringIO()
    call_command("pairings", "--year", "2022", "--json", stdout=out)
    assert json.loads(out.getvalue())["pairings"] == 1
    out = io.StringIO()
    call_command("pairings", "--year", "2022", "--json", "--user", "suichuan", stdout=out)
    data = json.loads(out.getvalue())
    assert data["pairings"] == 0 and data["by_county"] == []


def test_the_command_counts_as_of_a_date_only_pairings_started_by_then(city):
    pair(make_org("三月结对", region="360802001"), TAOSHUXIA, start=datetime.date(2022, 3, 1))
    pair(make_org("六月结对", region="360802001"), TAOSHUXIA, start=datetime.date(2022, 6, 15))
    counts = {}
    for as_of in ("2022-05-31", "2022-06-30"):
        out = io.StringIO()
        call_command("pairings", "--year", "2022", "--as-of", as_of, "--json", stdout=out)
        counts[as_of] = json.loads(out.getvalue())["pairings"]
    assert counts == {"2022-05-31": 1, "2022-06-30": 2}
    with pytest.raises(CommandError, match="格式不对"):
        call_command("pairings", "--as-of", "2022/05/31", stdout=io.StringIO())


def test_the_office_flags_a_key_village_and_a_county_user_cannot(city, office, client_for):
    county = make_user("jizhou", role="county", region="360802")
    url = reverse("pairings:village_key", args=[TAOSHUXIA])
    assert client_for(county).post(url, {"key_village": "1"}).status_code == 403
    assert client_for(office).post(url, {"key_village": "1"}).status_code == 302
    assert Region.objects.get(code=TAOSHUXIA).key_village
    page = client_for(county).get(reverse("pairings:villages") + "?key=1")
    assert "桃树下居委会" in page.content.decode()


def test_the_key_village_list_is_imported_by_name_under_township_or_code(city, tmp_path, office):
    path = write_workbook(
        tmp_path / "重点帮扶村.xlsx",
        [
            ["村（社区）", "所属乡镇（街道）", "是否重点帮扶村"],
            ["城溪村", "雩田镇", "是"],
            [TAOSHUXIA, None, "√"],
            ["不存在村", "雩田镇", "是"],
        ],
    )
    sheet = import_json(path, "--user", "office")["key_villages"]
    assert (sheet["updated"], sheet["rejected"]) == (2, 1)
    assert sheet["errors"][0]["row"] == 4
    assert set(Region.objects.filter(key_village=True).values_list("code", flat=True)) == {
        TAOSHUXIA,
        CHENGXI_SUICHUAN,
    }


def test_the_pairing_form_accepts_a_village_under_its_township(city, office, client_for):
    org = make_org("遂川茶业公司", region="360827101")
    response = client_for(office).post(
        reverse("pairings:create"),
        {"credit_code": org.credit_code, "village": "雩田镇 城溪村", "starts_on": "2022-05-01"},
    )
    assert response.status_code == 302
    assert Pairing.objects.get().village.code == CHENGXI_SUICHUAN
    bad = client_for(office).post(
        reverse("pairings:create"),
        {"credit_code": org.credit_code, "village": "城溪村", "starts_on": "2022-05-01"},
    )
    assert "请填写区划代码" in bad.content.decode()


class TestPairingPagesForAnOutsider(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        org = make_org("吉州建工集团", region="360802001")
        pairing = pair(org, TAOSHUXIA)
        services.save_project(pairing, actor=None, year=2022, title="社区食堂", funds=10, people_helped=5)
        return ScopeCase(
            obj=pairing,
            insider=make_user("jizhou", role="county", region="360802"),
            outsider=make_user("suichuan", role="county", region="360827"),
            marker="吉州建工集团",
            detail_urls=[
                reverse("pairings:detail", args=[pairing.pk]),
                reverse("pairings:edit", args=[pairing.pk]),
            ],
            list_urls=[reverse("pairings:list")],
            export_urls=[reverse("pairings:export", args=["csv"])],
            change_urls=[
                reverse("pairings:delete", args=[pairing.pk]),
                reverse("pairings:project_create", args=[pairing.pk]),
            ],
        )


def test_the_totals_page_counts_only_the_users_jurisdiction(city, client_for):
    pair(make_org("吉州建工集团", region="360802001"), TAOSHUXIA)
    insider = client_for(make_user("jizhou", role="county", region="360802")).get(
        reverse("pairings:totals") + "?year=2022"
    )
    assert "2022年在结对 1 对" in insider.content.decode() and "吉州区" in insider.content.decode()
    outsider = client_for(make_user("suichuan", role="county", region="360827")).get(
        reverse("pairings:totals") + "?year=2022"
    )
    assert "2022年在结对 0 对" in outsider.content.decode() and "吉州区" not in outsider.content.decode()


def test_the_xlsx_export_holds_the_pairing_and_its_projects(city, office, client_for):
    from openpyxl import load_workbook

    pairing = pair(make_org("吉州建工集团", region="360802001"), TAOSHUXIA)
    services.save_project(pairing, actor=None, year=2022, title="社区食堂", funds=10, people_helped=5)
    response = client_for(office).get(reverse("pairings:export", args=["xlsx"]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("统一社会信用代码", "组织名称", "结对村（社区）")
    assert rows[1][1:3] == ("吉州建工集团", "桃树下居委会") and rows[1][10] == "社区食堂"


def test_the_village_list_shows_only_the_users_villages(city, client_for):
    url = reverse("pairings:villages") + "?q=桃树下"
    insider = client_for(make_user("jizhou", role="county", region="360802")).get(url)
    outsider = client_for(make_user("suichuan", role="county", region="360827")).get(url)
    assert "桃树下居委会" in insider.content.decode()
    assert "桃树下居委会" not in outsider.content.decode()


def test_the_demo_flags_key_villages_and_pairs_organizations_with_projects(city):
    from liangxin.pairings import demo

    for i in range(6):
        make_org(f"演示企业{i}", region="360802001", employees=100 + i)
    out = io.StringIO()
    demo.load(city, out)
    assert Region.objects.filter(key_village=True).count() == 4 * 13
    assert Pairing.objects.count() == 6 and PairingProject.objects.exists()
    demo.load(city, out)
    assert Pairing.objects.count() == 6
