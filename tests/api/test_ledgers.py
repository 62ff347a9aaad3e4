"""The newer ledgers through the API: each figure is the JSON of its command (one rule, one
place), each list is the page's rows a page at a time, every endpoint is scoped like its page
(the shared outsider suite), refuses the roles its page refuses, and says what is wrong with a
bad parameter in Chinese."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command

from liangxin.brands import services as brand_services
from liangxin.brands.models import Brand, Level, Stage
from liangxin.committee.models import Meeting
from liangxin.core.models import MemberUnit, Region
from liangxin.coverage.models import BranchInspection, Formation
from liangxin.integration import services as integration_services
from liangxin.pairings import services as pairing_services
from tests.committee.factories import make_committee
from tests.coverage.factories import make_org, make_party_org
from tests.dispatch.factories import at, unit
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase
from tests.workforce.factories import make_report, make_station

D = datetime.date
TAOSHUXIA = "360802001001"  # 吉州区 古南街道 桃树下居委会
SCORES = {"governance": 4, "business": 3, "operations": 5, "workers": 2, "ideology": 4}


def command_json(*args) -> dict:
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    return json.loads(out.getvalue())


def api_json(api, url, **params) -> dict:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


# ----------------------------------------------------------------------------- data


def committee_with_meeting():
    committee = make_committee("物流行业党委", owner="交通运输局", industries=("G",))
    meeting = Meeting.objects.create(name="物流专题会议", date=D(2022, 5, 20), kind="topic")
    meeting.attendees.add(MemberUnit.objects.get(name="交通运输局"))
    return committee, meeting


def station_with_report():
    station = make_station("泰和接口网点", region="360826100", headcount=12, members_full=2)
    report = make_report(
        station, submitted_at=at("2026-05-12"), reporter_name="张三丰", reporter_phone="13907961111"
    )
    return station, report


def pairing():
    org = make_org("吉州接口结对公司", region="360802001")
    return pairing_services.save_pairing(
        None,
        actor=None,
        organization=org,
        village=Region.objects.get(code=TAOSHUXIA),
        starts_on=D(2022, 3, 1),
    )[0]


def assessment():
    org = make_org("吉州接口评估公司", region="360802001", members=5)
    make_party_org("吉州接口评估公司党支部", org)
    return integration_services.save_assessment(
        org, actor=None, year=2022, scores=SCORES, assessor="评估组", assessed_on=D(2022, 11, 1)
    )[0]


def brand(office):
    with time_machine.travel("2022-03-01 09:00 +0800", tick=False):
        campaign = brand_services.open_campaign(2022, actor=office, units=[unit("民政局"), unit("司法局")])
    with time_machine.travel("2022-06-10 10:00 +0800", tick=False):
        found = Brand(campaign=campaign, name="红色接口社工站", level=Level.ENTERPRISE, unit=unit("民政局"))
        found.stage = Stage.BUILDING
        return brand_services.save_brand(found, actor=None)


def flagged_branch():
    org = make_org("泰和接口联建公司", region="360826100", members=1)
    branch = make_party_org("泰和接口联合支部", org, formation=Formation.JOINT, region="360826")
    BranchInspection.objects.create(party_org=branch, inspected_on=D(2026, 5, 6), rating="poor")
    return branch


# ----------------------------------------------------------------------------- one rule, one place


@time_machine.travel("2026-06-30 12:00 +0800", tick=False)
def test_every_figure_is_its_commands_json(city, office_user, token_client):
    committee_with_meeting()
    station_with_report()
    pairing()
    assessment()
    brand(office_user)
    flagged_branch()
    api = token_client(office_user, "read")

    industry = api_json(api, "/api/v1/committee/industry/", as_of="2022-05-31")
    expected = command_json("committees", "--as-of", "2022-05-31")
    assert industry["items"] == expected["committees"] and industry["missing"] == expected["missing"]
    assert industry["items"][0]["name"] == "物流行业党委"
    meetings = api_json(api, "/api/v1/committee/meetings/", year=2022, as_of="2022-05-31")
    assert (
        meetings["items"] == command_json("meetings", "--year", "2022", "--as-of", "2022-05-31")["meetings"]
    )
    assert meetings["items"][0]["name"] == "物流专题会议"

    workforce = api_json(api, "/api/v1/workforce/figures", as_of="2026-06-30")
    assert workforce == command_json("workforce", "--as-of", "2026-06-30")
    assert workforce["total"]["stations"] == 1 and workforce["total"]["people"] == 12
    sentinel = api_json(api, "/api/v1/workforce/sentinel/figures", period="2026-05")
    assert sentinel == command_json("sentinel_stats", "--period", "2026-05") and sentinel["reports"] == 1

    totals = api_json(api, "/api/v1/pairings/totals", year=2022)
    assert totals == command_json("pairings", "--year", "2022") and totals["pairings"] == 1
    for by in ("region", "industry", "unit"):
        summary = api_json(api, "/api/v1/integration/summary", year=2022, by=by)
        assert summary == command_json("integration", "--year", "2022", "--by", by)
    brands = api_json(api, "/api/v1/brands/status", campaign=2022, as_of="2022-07-01")
    assert brands == command_json("brands", "--campaign", "2022", "--as-of", "2022-07-01")
    assert brands["expected_units"] == 2
    health = api_json(api, "/api/v1/health/figures", as_of="2026-06-30")
    assert health == command_json("health", "--as-of", "2026-06-30")  # every formation
    joint = api_json(api, "/api/v1/health/figures", as_of="2026-06-30", formation="joint")
    assert joint == command_json("health", "--as-of", "2026-06-30", "--formation", "joint")
    assert [b["name"] for b in joint["party_orgs"]] == ["泰和接口联合支部"]


def test_a_county_token_counts_only_its_county(city, token_client):
    station_with_report()
    make_station("吉州接口网点", region="360802001", headcount=30)
    flagged_branch()
    jizhou = token_client(make_user("jizhou", role="county", region="360802"), "read")
    assert api_json(jizhou, "/api/v1/workforce/figures", as_of="2026-06-30")["total"]["people"] == 30
    assert api_json(jizhou, "/api/v1/workforce/sentinel/figures", period="2026-05")["reports"] == 0
    assert api_json(jizhou, "/api/v1/health/figures", as_of="2026-06-30")["party_orgs"] == []


# ----------------------------------------------------------------------------- lists


def test_lists_page_by_cursor_to_the_last_row(city, office_user, token_client):
    for i in range(5):
        make_station(f"泰和翻页网点{i}", region="360826100")
    api = token_client(office_user, "read")
    names, cursor, pages = [], None, 0
    while True:
        page = api_json(api, "/api/v1/workforce/stations/", limit=2, **({"cursor": cursor} if cursor else {}))
        names += [s["name"] for s in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and names == [f"泰和翻页网点{i}" for i in (4, 3, 2, 1, 0)]
    filtered = api_json(api, "/api/v1/workforce/stations/", q="翻页网点3")
    assert [s["name"] for s in filtered["items"]] == ["泰和翻页网点3"]  # the page's own search
    bad = api.get("/api/v1/workforce/stations/", {"cursor": "@@"})
    assert bad.status_code == 400 and "游标" in bad.json()["detail"]


def test_a_riders_name_and_phone_are_shown_as_on_the_report_page(city, token_client, client):
    _, report = station_with_report()
    taihe = make_user("taihe", role="county", region="360826")
    item = api_json(token_client(taihe, "read"), "/api/v1/workforce/sentinel/reports/")["items"][0]
    assert item["station"] == "顺丰速运·泰和接口网点" and item["receipt"] == report.receipt
    client.force_login(taihe)
    page = client.get(f"/workforce/reports/{report.pk}/").content.decode()
    for field in ("reporter_name", "reporter_phone"):  # the county that handles it: in full, on both
        assert item[field] == getattr(report, field) and item[field] in page


def test_the_health_list_gives_each_flag_with_its_reason(city, office_user, token_client):
    flagged_branch()
    page = api_json(token_client(office_user, "read"), "/api/v1/health/branches/", as_of="2026-06-30")
    [branch] = page["items"]
    assert branch["name"] == "泰和接口联合支部" and branch["last_rating"] == "差"
    poor = next(f for f in branch["flags"] if f["code"] == "poor_rating")
    assert poor["since"] == "2026-05-06" and poor["reason"]
    assert branch["formation"] == "联合组建"
    single = api_json(token_client(office_user, "read"), "/api/v1/health/branches/", as_of="2026-06-30",
                      formation="single")  # fmt: skip
    assert single["items"] == []


BAD = [
    ("/api/v1/committee/industry/", {"as_of": "2022-02-30"}, 422, "YYYY-MM-DD"),
    ("/api/v1/committee/meetings/", {"year": 1999}, 422, "四位年份"),
    ("/api/v1/workforce/sentinel/figures", {"period": "五月"}, 422, "YYYY-MM"),
    ("/api/v1/workforce/sentinel/reports/", {"month": "2026-13"}, 422, "YYYY-MM"),
    ("/api/v1/integration/summary", {"by": "town"}, 422, "region"),
    ("/api/v1/brands/status", {"campaign": 2031}, 404, "2031年尚未开启"),
    ("/api/v1/brands/", {"campaign": 2031}, 404, "2031年尚未开启"),
    ("/api/v1/health/branches/", {"flag": "late"}, 422, "poor_rating"),
    ("/api/v1/health/figures", {"region": "999999"}, 404, "999999"),
    ("/api/v1/health/figures", {"formation": "other"}, 422, "single（单独组建）"),
]


@pytest.mark.parametrize(("url", "params", "status", "says"), BAD, ids=[f"{u}{p}" for u, p, _, _ in BAD])
def test_a_bad_parameter_is_a_chinese_problem(url, params, status, says, city, office_user, token_client):
    response = token_client(office_user, "read").get(url, params)
    assert response.status_code == status and response["Content-Type"] == "application/problem+json"
    assert says in response.json()["detail"]


LEDGER_URLS = [
    "/api/v1/committee/industry/",
    "/api/v1/committee/meetings/",
    "/api/v1/workforce/figures",
    "/api/v1/workforce/stations/",
    "/api/v1/workforce/sentinel/figures",
    "/api/v1/workforce/sentinel/reports/",
    "/api/v1/pairings/",
    "/api/v1/pairings/totals",
    "/api/v1/integration/assessments/",
    "/api/v1/integration/summary",
    "/api/v1/brands/status?campaign=2022",
    "/api/v1/brands/?campaign=2022",
]


@pytest.mark.parametrize("url", LEDGER_URLS)
def test_an_instructor_is_refused_the_ledgers_their_pages_refuse(url, city, token_client):
    instructor = make_user("zdy", role="instructor", region="360826")
    response = token_client(instructor, "read").get(url)
    assert response.status_code == 403 and "角色无权" in response.json()["detail"]


# ----------------------------------------------------------------------------- outsiders


class TestCommitteesAndMeetingsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city, read_client_for):
        committee, _ = committee_with_meeting()
        return ScopeCase(
            obj=committee,
            insider=make_user("jiaotong", role="member_unit", member_unit="交通运输局"),
            outsider=make_user("sifa", role="member_unit", member_unit="司法局"),
            marker="物流",
            list_urls=[
                "/api/v1/committee/industry/?as_of=2022-05-31",
                "/api/v1/committee/meetings/?year=2022",
            ],
            client_factory=read_client_for,
        )


class TestStationsAndSentinelReportsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city, read_client_for):
        station, _ = station_with_report()
        return ScopeCase(
            obj=station,
            insider=make_user("taihe", role="county", region="360826"),
            outsider=make_user("jizhou", role="county", region="360802"),
            marker="泰和接口网点",
            list_urls=["/api/v1/workforce/stations/", "/api/v1/workforce/sentinel/reports/?month=2026-05"],
            client_factory=read_client_for,
        )


class TestPairingsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city, read_client_for):
        return ScopeCase(
            obj=pairing(),
            insider=make_user("jizhou", role="county", region="360802"),
            outsider=make_user("taihe", role="county", region="360826"),
            marker="吉州接口结对公司",
            list_urls=["/api/v1/pairings/", "/api/v1/pairings/?year=2022"],
            client_factory=read_client_for,
        )


class TestAssessmentsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city, read_client_for):
        return ScopeCase(
            obj=assessment(),
            insider=make_user("jizhou", role="county", region="360802"),
            outsider=make_user("taihe", role="county", region="360826"),
            marker="吉州接口评估公司",
            list_urls=["/api/v1/integration/assessments/", "/api/v1/integration/assessments/?year=2022"],
            client_factory=read_client_for,
        )


class TestBrandsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city, read_client_for):
        office = make_user("brand-office", role="office")
        return ScopeCase(
            obj=brand(office),
            insider=make_user("minzheng", role="member_unit", member_unit="民政局"),
            outsider=make_user("sifa", role="member_unit", member_unit="司法局"),
            marker="红色接口社工站",
            list_urls=["/api/v1/brands/?campaign=2022"],
            client_factory=read_client_for,
        )


class TestHealthAndInspectionsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city, read_client_for):
        return ScopeCase(
            obj=flagged_branch(),
            insider=make_user("taihe", role="county", region="360826"),
            outsider=make_user("jizhou", role="county", region="360802"),
            marker="泰和接口联合支部",
            list_urls=[
                "/api/v1/health/branches/?as_of=2026-06-30",
                "/api/v1/health/figures?as_of=2026-06-30",
                "/api/v1/inspections/",
            ],
            client_factory=read_client_for,
        )
