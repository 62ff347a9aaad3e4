"""Enter once: a task linked to a ledger's measure prefills the unit's monthly report with the
measure's current value and the records behind it (dispatch.measures)."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from liangxin.core.models import MemberUnit, Region
from liangxin.dispatch import measures, reports
from liangxin.pairings import services as pairing_services
from tests.committee.factories import make_committee
from tests.coverage.factories import make_org, make_party_org
from tests.dispatch.factories import make_period, make_task
from tests.factories import make_user

D = datetime.date

pytestmark = pytest.mark.django_db


def linked_task(measure: str, lead: str = "民政局"):
    task = make_task("9", lead=lead, deadline=datetime.date(2022, 12, 31))
    task.measure = measure
    task.save()
    return task


def test_the_choices_name_every_registered_measure_with_its_parameters(city):
    keys = dict(measures.choices())
    assert keys["pairings.signed"] == "结对共建"
    assert keys["committee.set_up"] == "行业（综合）党委成立情况"
    assert keys["coverage.org_rate:C"] == "行业组织覆盖率：C 制造业"


def test_a_task_linked_to_pairings_prefills_the_units_report_with_its_pairings(city, client_for):
    org = make_org("吉州养老服务中心", kind="social", supervising_unit=MemberUnit.objects.get(name="民政局"))
    Region.objects.filter(code="360802001001").update(key_village=True)
    pairing, _ = pairing_services.save_pairing(
        None,
        actor=None,
        organization=org,
        village=Region.objects.get(code="360802001001"),
        starts_on=datetime.date(2022, 2, 1),
    )
    pairing_services.save_project(pairing, actor=None, year=2022, title="助老食堂", funds=8, people_helped=60)
    task = linked_task("pairings.signed")
    make_period("2022-06")
    user = make_user("minzheng", role="member_unit", member_unit="民政局")
    with time_machine.travel("2022-06-10 10:00 +0800", tick=False):
        text = (
            client_for(user).get(reverse("dispatch:report_edit", args=["2022-06", task.pk])).content.decode()
        )
    assert (
        "【系统数据·结对共建，截至 2022年06月10日】在结对 1 对（重点帮扶村 1 个），2022年共建项目 1 个，投入资金 8.00 万元，受益 60 人"
        in text
    )
    assert "吉州养老服务中心 ↔ 古南街道桃树下居委会（重点帮扶村），2022年02月起" in text


def test_a_task_linked_to_an_industrys_coverage_prefills_the_figure_from_the_engine(city):
    covered = make_org("吉州机械厂", industry_section="C", members=5)
    make_org("吉州纺织厂", industry_section="C")
    make_org("吉州超市", industry_section="F")
    make_party_org("吉州机械厂党支部", covered)
    task = linked_task("coverage.org_rate:C", lead="工信局")
    period = make_period("2022-06")
    data = reports.prefill(
        task, MemberUnit.objects.get(name="工信局"), period, today=datetime.date(2022, 6, 10)
    )
    assert (
        "制造业在册 2 家，单独组建 1 家、联合组建 0 家，组织覆盖率 50.0%，应建未建 0 家" in data["progress"]
    )
    assert "吉州区：2 家，组织覆盖率 50.0%" in data["progress"]


def test_a_past_month_is_prefilled_as_of_its_last_day(city):
    task = linked_task("pairings.signed")
    period = make_period("2022-05")
    data = reports.prefill(
        task, MemberUnit.objects.get(name="民政局"), period, today=datetime.date(2022, 6, 10)
    )
    assert "截至 2022年05月31日" in data["progress"]


def test_an_unlinked_task_is_prefilled_from_last_month_as_before(city):
    task = make_task("8", lead="民政局")
    data = reports.prefill(task, MemberUnit.objects.get(name="民政局"), make_period("2022-06"))
    assert data["progress"] == "" and data["measure"] is None


def test_the_office_links_a_task_to_a_measure_on_the_task_form(city, office, client_for):
    task = make_task("7", lead="民政局")
    client = client_for(office)
    url = reverse("dispatch:task_edit", args=[task.pk])
    page = client.get(url).content.decode()
    assert "关联台账指标" in page and "pairings.signed" in page
    form = {
        "code": "7",
        "category": task.category,
        "title": "推动重点企业与乡村振兴重点帮扶村结对共建",
        "requirement": "",
        "lead": task.lead_id,
        "start": "2022-01-01",
        "deadline": "2022-06-30",
        "milestones": "",
        "measure": "pairings.signed",
        "version": re.search(r'name="version" value="([^"]*)"', page).group(1),
    }
    assert client.post(url, form).status_code == 302
    task.refresh_from_db()
    assert task.measure == "pairings.signed"
    data = reports.prefill(task, task.lead, make_period("2022-06"), today=datetime.date(2022, 6, 10))
    assert "【系统数据·结对共建，截至 2022年06月10日】" in data["progress"]


def committees_text(unit_name: str, day: datetime.date) -> str:
    task = linked_task("committee.set_up", lead=unit_name)
    period = make_period(f"{day:%Y-%m}")
    return reports.prefill(task, MemberUnit.objects.get(name=unit_name), period, today=day)["progress"]


def test_a_task_linked_to_committees_set_up_prefills_the_units_committees_on_the_date(city):
    logistics = make_committee(
        "物流行业党委", owner="交通运输局", industries=("G",), founded_on=D(2021, 3, 1)
    )
    make_committee("网约车行业党委", owner="交通运输局", tags=("网约车",), founded_on=D(2022, 9, 1))
    make_committee("律师行业党委", owner="司法局", industries=("L",), founded_on=D(2021, 1, 1))
    make_party_org("顺丰速运党支部", region="360802", parent=logistics.party_org)
    make_party_org("已撤销的物流党支部", parent=logistics.party_org, dissolved_on=D(2022, 1, 1))

    text = committees_text("交通运输局", D(2022, 6, 10))
    assert "【系统数据·行业（综合）党委成立情况，截至 2022年06月10日】已成立行业（综合）党委 1 个" in text
    assert "1. 物流行业党委（2021年03月成立，服务行业/群体：G，下设党组织 1 个）" in text
    assert "网约车行业党委" not in text and "律师行业党委" not in text  # not yet founded; another unit's


def test_a_department_supervising_an_industry_without_a_committee_is_prefilled_as_missing(city):
    assert MemberUnit.objects.get(name="交通运输局").industries.exists()
    text = committees_text("交通运输局", D(2022, 6, 10))
    assert "尚未成立行业（综合）党委（应成立未成立）" in text


def test_a_countys_organization_department_is_prefilled_with_the_committees_of_its_county(city):
    taihe = MemberUnit.objects.get(name="泰和县委组织部")
    committee = make_committee("泰和县物流行业党委", owner="交通运输局", industries=("G",))
    party_org = committee.party_org
    party_org.region = Region.objects.get(code="360826")
    party_org.copy_ancestor_codes(party_org.region)
    party_org.save()
    make_committee("吉州区商圈党委", owner="商务局", industries=("F",))

    text = committees_text(taihe.name, D(2022, 6, 10))
    assert "已成立行业（综合）党委 1 个" in text and "泰和县物流行业党委" in text
    assert "吉州区商圈党委" not in text
