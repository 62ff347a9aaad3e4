"""Inspection findings drive the health list: each flag with its reason and since when, filtered
and exported by flag, and `liangxin health --json`."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.coverage import health
from liangxin.coverage.models import BranchInspection, Formation, PartyOrganization, Rectification
from tests.coverage.factories import make_org, make_party_org
from tests.factories import make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase

D = datetime.date
MAY_31 = D(2022, 5, 31)


def branch(name, *, region="360802001", **fields):
    fields.setdefault("secretary", "张书记")
    fields.setdefault("term_ends_on", D(2025, 1, 1))
    return make_party_org(name, make_org(f"{name}的公司", region=region, members=1), formation=Formation.JOINT,
                          **fields)  # fmt: skip


def inspect(party_org, day, rating="good", meetings_held=True, **findings):
    return BranchInspection.objects.create(
        party_org=party_org, inspected_on=day, rating=rating, meetings_held=meetings_held, **findings
    )


def flags_of(as_of=MAY_31):
    rows = health.branches(PartyOrganization.objects.all(), as_of=as_of)
    return {p.name: {h.code: (h.since, h.reason) for h in health.hits(p, as_of=as_of)} for p in rows}


@pytest.mark.django_db
class TestFlags:
    def test_it_flags_the_last_rating_poor_since_that_inspection(self, city):
        poor = branch("差支部")
        inspect(poor, D(2022, 4, 26), rating="poor")
        better = branch("好转支部")
        inspect(better, D(2022, 4, 1), rating="poor")
        inspect(better, D(2022, 5, 2), rating="fair")
        flags = flags_of()
        assert flags["差支部"]["poor_rating"] == (D(2022, 4, 26), "2022-04-26排查评定为“差”")
        assert "poor_rating" not in flags["好转支部"]

    def test_an_inspection_after_the_day_asked_does_not_count(self, city):
        inspect(branch("差支部"), D(2022, 6, 2), rating="poor")
        assert "poor_rating" not in flags_of()["差支部"]
        assert "poor_rating" in flags_of(D(2022, 6, 2))["差支部"]

    def test_it_flags_meetings_not_held_in_the_quarter_until_a_later_inspection_finds_them_held(self, city):
        branch_ = branch("支部")
        inspect(branch_, D(2022, 4, 10), rating="average", meetings_held=False)
        assert flags_of()["支部"]["meetings_not_held"][0] == D(2022, 4, 10)
        inspect(branch_, D(2022, 5, 20), rating="fair", meetings_held=True)
        assert "meetings_not_held" not in flags_of()["支部"]
        # in the next quarter the April finding no longer speaks for the branch
        assert "meetings_not_held" not in flags_of(D(2022, 7, 5))["支部"]

    def test_a_first_quarter_finding_does_not_flag_the_second_quarter(self, city):
        inspect(branch("支部"), D(2022, 3, 30), rating="good", meetings_held=False)
        assert "meetings_not_held" in flags_of(D(2022, 3, 31))["支部"]
        assert "meetings_not_held" not in flags_of(D(2022, 4, 1))["支部"]

    def test_the_other_findings_not_done_flag_with_what_was_found_until_a_later_inspection(self, city):
        branch_ = branch("阵地支部")
        inspect(branch_, D(2022, 3, 10), life_meeting_held=False, dues_collected=True)
        inspect(branch_, D(2022, 4, 20), dues_collected=False, venue_in_place=False, members_contacted=True)
        inspect(branch("查过其他项支部"), D(2022, 4, 20), life_meeting_held=True, dues_collected=True,
                venue_in_place=True, members_contacted=True)  # fmt: skip
        inspect(branch("未查其他项支部"), D(2022, 4, 20))
        flags = flags_of()
        assert flags["阵地支部"]["findings_lacking"] == (
            D(2022, 4, 20), "2022-04-20排查发现：未按时足额收缴党费、党员活动阵地未落实",
        )  # fmt: skip
        assert "findings_lacking" not in flags["查过其他项支部"]
        assert "findings_lacking" not in flags["未查其他项支部"]  # not checked is not "not done"
        assert flags_of(D(2022, 3, 31))["阵地支部"]["findings_lacking"] == (
            D(2022, 3, 10), "2022-03-10排查发现：未按要求召开组织生活会",
        )  # fmt: skip
        inspect(branch_, D(2022, 5, 20), dues_collected=True, venue_in_place=True)
        assert "findings_lacking" not in flags_of()["阵地支部"]

    def test_not_inspected_within_the_interval_says_since_when(self, city, settings):
        settings.LIANGXIN_INSPECTION_INTERVAL_DAYS = 60
        inspect(branch("老支部"), D(2022, 3, 31))
        inspect(branch("新近排查支部"), D(2022, 4, 1))
        branch("从未排查支部", founded_on=D(2021, 1, 1))
        branch("新成立支部", founded_on=D(2022, 4, 15))
        flags = flags_of()
        assert flags["老支部"]["not_inspected"] == (D(2022, 5, 31), "最近一次排查为2022-03-31，已超过60天")
        assert "not_inspected" not in flags["新近排查支部"]
        assert flags["从未排查支部"]["not_inspected"][0] == D(2021, 3, 3)
        assert "从未排查" in flags["从未排查支部"]["not_inspected"][1]
        assert "not_inspected" not in flags["新成立支部"]

    def test_term_overdue_since_the_day_after_the_term_ended(self, city):
        branch("届满支部", term_ends_on=D(2022, 3, 1))
        assert flags_of()["届满支部"]["term_overdue"] == (D(2022, 3, 2), "任期已于2022-03-01届满，未见换届")

    def test_an_open_rectification_past_its_due_date_flags_until_closed(self, city):
        branch_ = branch("整改支部")
        Rectification.objects.create(
            party_org=branch_, problem="台账缺失", opened_on=D(2022, 4, 1), due_on=D(2022, 4, 30)
        )
        Rectification.objects.create(
            party_org=branch_, problem="书记未到岗", opened_on=D(2022, 4, 1), due_on=D(2022, 5, 20)
        )
        assert "rectification_overdue" not in flags_of(D(2022, 4, 30))["整改支部"]
        assert flags_of()["整改支部"]["rectification_overdue"][0] == D(2022, 5, 1)
        Rectification.objects.filter(problem="台账缺失").update(closed_on=D(2022, 5, 10))
        assert flags_of()["整改支部"]["rectification_overdue"][0] == D(2022, 5, 21)
        Rectification.objects.update(closed_on=D(2022, 5, 25))
        assert "rectification_overdue" not in flags_of()["整改支部"]
        # closed later than the day asked: still overdue on that day
        assert "rectification_overdue" in flags_of(D(2022, 5, 22))["整改支部"]

    def test_every_formation_is_on_the_list_and_only_joint_branches_are_asked_for_inspections(self, city):
        make_party_org(
            "单独支部", make_org("大公司", members=10), secretary="李书记", founded_on=D(2019, 1, 1)
        )
        assert flags_of() == {"单独支部": {}}  # never inspected, and not flagged for it

    def test_a_single_branch_and_an_industry_committee_are_flagged_for_term_and_secretary(self, city):
        make_party_org(
            "单独支部", make_org("大公司", members=10), secretary="", secretary_vacant_since=D(2021, 3, 1)
        )
        make_party_org("物流行业党委", formation=Formation.INDUSTRY, org_type="committee", region="360802",
                       secretary="王书记", term_ends_on=D(2022, 3, 31))  # fmt: skip
        found = flags_of()
        assert set(found["单独支部"]) == {"secretary_vacant"}
        assert found["单独支部"]["secretary_vacant"] == (D(2021, 3, 1), "书记自2021-03-01空缺")
        assert found["物流行业党委"] == {"term_overdue": (D(2022, 4, 1), "任期已于2022-03-31届满，未见换届")}
        joint_only = health.branches(PartyOrganization.objects.all(), as_of=MAY_31, formation=Formation.JOINT)
        assert not joint_only.exists()


@pytest.mark.django_db
class TestPage:
    def test_it_filters_and_exports_by_flag_with_reasons_and_since(self, city, office, client_for):
        inspect(branch("差支部"), D(2022, 4, 26), rating="poor", meetings_held=False)
        inspect(branch("好支部"), D(2022, 4, 26))
        client = client_for(office)
        page = client.get("/coverage/inspections/health/?as_of=2022-05-31&flag=poor_rating").content.decode()
        assert "差支部" in page and "好支部" not in page
        assert "2022-04-26排查评定为“差”" in page and "（自2022-04-26）" in page
        csv = b"".join(
            client.get("/coverage/inspections/health/?as_of=2022-05-31&flag=meetings_not_held&format=csv")
        ).decode("utf-8-sig")
        assert "差支部" in csv and "好支部" not in csv
        assert "本季度未开展“三会一课”" in csv and "2022-04-26" in csv
        xlsx = client.get("/coverage/inspections/health/?as_of=2022-05-31&flag=poor_rating&format=xlsx")
        assert xlsx.status_code == 200 and xlsx["Content-Type"].endswith("spreadsheetml.sheet")

    def test_findings_recorded_on_the_inspection_form_are_shown_and_flagged(self, city, office, client_for):
        branch_ = branch("古南阵地联合支部", founded_on=D(2020, 1, 1))
        client = client_for(office)
        form = client.get(f"/coverage/party-orgs/{branch_.pk}/inspect/").content.decode()
        assert "按要求召开组织生活会" in form and "按时足额收缴党费" in form
        assert "党员活动阵地落实" in form and "党员联系管理到位" in form and "未检查" in form
        saving = client.post(f"/coverage/party-orgs/{branch_.pk}/inspect/", {
            "inspected_on": "2022-05-06", "rating": "average", "meetings_held": "on",
            "life_meeting_held": "true", "dues_collected": "false", "venue_in_place": "unknown",
            "members_contacted": "false",
        })  # fmt: skip
        assert saving.status_code == 302
        saved = branch_.inspections.get()
        assert (saved.life_meeting_held, saved.dues_collected, saved.venue_in_place, saved.members_contacted) == (
            True, False, None, False,
        )  # fmt: skip
        detail = client.get(f"/coverage/party-orgs/{branch_.pk}/").content.decode()
        assert "未按时足额收缴党费；党员联系管理不到位" in detail
        page = client.get(
            "/coverage/inspections/health/?as_of=2022-05-31&flag=findings_lacking"
        ).content.decode()
        assert "古南阵地联合支部" in page
        assert "2022-05-06排查发现：未按时足额收缴党费、党员联系管理不到位" in page
        csv = b"".join(
            client.get("/coverage/inspections/health/?as_of=2022-05-31&flag=findings_lacking&format=csv")
        ).decode("utf-8-sig")
        assert "古南阵地联合支部" in csv and "组织生活会、党费、阵地或党员联系未落实" in csv

    def test_it_filters_and_exports_by_formation(self, city, office, client_for):
        branch("某联合支部", term_ends_on=D(2022, 3, 1))
        make_party_org(
            "某单独支部", make_org("大公司", members=10), secretary="李书记", term_ends_on=D(2022, 3, 1)
        )
        client = client_for(office)
        page = client.get("/coverage/inspections/health/?as_of=2022-05-31").content.decode()
        assert "某联合支部" in page and "某单独支部" in page and "单独组建" in page
        single = client.get(
            "/coverage/inspections/health/?as_of=2022-05-31&formation=single"
        ).content.decode()
        assert "某单独支部" in single and "某联合支部" not in single
        csv = b"".join(
            client.get("/coverage/inspections/health/?as_of=2022-05-31&flag=term_overdue&format=csv")
        ).decode("utf-8-sig")
        assert "某单独支部,单独组建,吉州区" in csv and "某联合支部,联合组建,吉州区" in csv

    def test_an_unknown_flag_shows_everything(self, city, office, client_for):
        branch("某支部")
        page = client_for(office).get("/coverage/inspections/health/?flag=nonsense").content.decode()
        assert "某支部" in page


def run_health(*args) -> dict:
    out = io.StringIO()
    call_command("health", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
class TestCommand:
    def test_the_json_has_the_issues_shape_and_counts(self, city):
        inspect(branch("差支部"), D(2022, 4, 26), rating="poor", meetings_held=False)
        branch("届满支部", term_ends_on=D(2022, 3, 1))
        inspect(branch("好支部"), D(2022, 5, 1))
        data = run_health("--as-of=2022-05-31")
        assert data["flags"] == {
            "poor_rating": 1,
            "meetings_not_held": 1,
            "not_inspected": 1,
            "term_overdue": 1,
            "rectification_overdue": 0,
        }
        by_name = {p["name"]: p for p in data["party_orgs"]}
        assert set(by_name) == {"差支部", "届满支部"}
        assert by_name["差支部"]["county"] == "吉州区"
        assert by_name["差支部"]["flags"][0] == {
            "code": "poor_rating",
            "since": "2022-04-26",
            "reason": "2022-04-26排查评定为“差”",
        }

    def test_it_counts_every_formation_or_the_one_asked_for(self, city):
        branch("届满联合支部", term_ends_on=D(2022, 3, 1))
        make_party_org(
            "届满单独支部", make_org("大公司", members=10), secretary="李书记", term_ends_on=D(2022, 3, 1)
        )
        data = run_health("--as-of=2022-05-31")
        assert data["flags"]["term_overdue"] == 2
        assert {p["name"]: p["formation"] for p in data["party_orgs"]} == {
            "届满联合支部": "联合组建",
            "届满单独支部": "单独组建",
        }
        joint = run_health("--as-of=2022-05-31", "--formation=joint")
        assert joint["flags"]["term_overdue"] == 1 and [p["name"] for p in joint["party_orgs"]] == [
            "届满联合支部"
        ]
        with pytest.raises(CommandError, match="组建方式“other”不对，应为 single（单独组建）"):
            run_health("--formation=other")

    def test_it_is_scoped_to_a_user_and_a_region(self, city):
        branch("吉州支部", term_ends_on=D(2022, 3, 1))
        branch("青原支部", region="360803001", term_ends_on=D(2022, 3, 1))
        make_user("qx360803", role="county", region="360803")
        assert [p["name"] for p in run_health("--as-of=2022-05-31", "--user=qx360803")["party_orgs"]] == [
            "青原支部"
        ]
        assert [p["name"] for p in run_health("--as-of=2022-05-31", "--region=360802")["party_orgs"]] == [
            "吉州支部"
        ]

    def test_bad_arguments_say_what_is_wrong(self, city):
        with pytest.raises(CommandError, match="格式不对"):
            run_health("--as-of=31/05/2022")
        with pytest.raises(CommandError, match="不存在或已停用"):
            run_health("--user=nobody")

    @time_machine.travel(datetime.datetime(2022, 5, 31, 9, tzinfo=datetime.UTC))
    def test_without_a_date_it_answers_for_today(self, city):
        branch("届满支部", term_ends_on=D(2022, 5, 30))
        assert run_health()["flags"]["term_overdue"] == 1


class TestTheFlaggedListIsScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        poor = branch("古南街道差等联合党支部")
        inspect(poor, D(2022, 4, 26), rating="poor", meetings_held=False, dues_collected=False)
        flagged = "/coverage/inspections/health/?as_of=2022-05-31&flag="
        return ScopeCase(
            obj=poor,
            insider=make_user("qx360802", role="county", region="360802"),
            outsider=make_user("qx360803", role="county", region="360803"),
            marker="古南街道差等联合党支部",
            list_urls=[
                flagged + "poor_rating",
                flagged + "meetings_not_held",
                flagged + "poor_rating&flagged=1",
                flagged + "findings_lacking",
            ],
            export_urls=[
                flagged + "poor_rating&format=csv",
                flagged + "meetings_not_held&format=csv",
                flagged + "findings_lacking&format=csv",
            ],
        )
