import datetime

import time_machine

from liangxin.core.models import AuditLog
from liangxin.coverage.models import Formation
from liangxin.coverage.services import save_instructor, save_party_org
from liangxin.registry.models import FollowUp, Organization
from tests.registry.factories import credit_code, make_org

URL = "/api/v1/registrations/"
D = datetime.date


def _event(api, event, **organization):
    return api.post(URL, {"event": event, "organization": organization}, content_type="application/json")


@time_machine.travel("2026-11-02 10:00 +0800", tick=False)
def test_an_establishment_opens_a_followup_for_the_gatekeeping_unit(taihe, token_client):
    api = token_client(taihe)
    enterprise = credit_code(division="360826")
    response = _event(api, "设立", credit_code=enterprise, name="泰和县新设科技有限公司", region="360826100")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 1
    [followup] = body["followups"]
    assert (
        followup["kind"] == "new" and followup["unit"] == "市场监管局" and followup["due_on"] == "2026-12-02"
    )

    society = credit_code(prefix="52", division="360826")
    body = _event(api, "设立", credit_code=society, name="泰和县新设行业协会", region="360826100").json()
    assert body["followups"][0]["unit"] == "民政局"


@time_machine.travel("2026-11-02 10:00 +0800", tick=False)
def test_a_party_organization_covering_it_closes_the_followup_with_the_reason(
    taihe, token_client, office_user
):
    code = credit_code(division="360826")
    _event(token_client(taihe), "设立", credit_code=code, name="泰和县待建党组织公司", region="360826100")
    org = Organization.objects.get(credit_code=code)
    save_party_org(
        None, actor=office_user, today=D(2026, 11, 20), organizations=[org], name="泰和县待建党组织公司党支部",
        org_type="branch", formation=Formation.SINGLE, founded_on=D(2026, 11, 20),
    )  # fmt: skip
    followup = FollowUp.objects.get(organization=org, kind="new")
    assert followup.status == "done" and followup.outcome == "party_org"
    assert followup.note == "自动办结：党组织“泰和县待建党组织公司党支部”已覆盖该组织"
    assert AuditLog.objects.filter(action="registry.followup.closed", object_id=str(followup.pk)).exists()


@time_machine.travel("2026-11-02 10:00 +0800", tick=False)
def test_an_instructor_assigned_closes_it_too(taihe, token_client, office_user):
    code = credit_code(division="360826")
    _event(token_client(taihe), "设立", credit_code=code, name="泰和县派驻指导员公司", region="360826100")
    org = Organization.objects.get(credit_code=code)
    save_instructor(
        None, actor=office_user, today=D(2026, 11, 5), organizations=[org], name="李指导", phone="13800138001"
    )
    followup = FollowUp.objects.get(organization=org, kind="new")
    assert followup.status == "done" and followup.outcome == "instructor" and "李指导" in followup.note


@time_machine.travel("2026-11-02 10:00 +0800", tick=False)
def test_a_cancellation_opens_the_settle_followup(taihe, token_client):
    api = token_client(taihe)
    code = credit_code(division="360826")
    _event(api, "设立", credit_code=code, name="泰和县将注销公司", region="360826100")
    response = _event(api, "注销", credit_code=code)
    assert response.status_code == 200, response.content
    assert response.json()["updated"] == 1
    org = Organization.objects.get(credit_code=code)
    assert org.status == "cancelled" and org.name == "泰和县将注销公司" and org.region.code == "360826100"
    assert FollowUp.objects.filter(
        organization=org, kind="closed", status="open", unit__name="市场监管局"
    ).exists()


def test_bad_events_get_chinese_problems(taihe, jizhou, token_client):
    api = token_client(taihe)
    unknown = _event(api, "合并", credit_code=credit_code(division="360826"), name="x")
    assert unknown.status_code == 422 and "设立、变更 或 注销" in unknown.json()["detail"]
    assert _event(api, "注销", credit_code=credit_code(division="360826")).status_code == 404
    outside = _event(
        api, "设立", credit_code=credit_code(division="360802"), name="吉州区公司", region="360802001"
    )
    assert outside.status_code == 403
    read_only = _event(
        token_client(taihe, "read"), "设立", credit_code=credit_code(division="360826"), name="x"
    )
    assert read_only.status_code == 403


def test_followup_figures_by_unit_on_the_page_and_in_the_api(taihe, token_client, office_user, client_for):
    api = token_client(taihe)
    with time_machine.travel("2026-10-01 10:00 +0800", tick=False):
        for i in range(3):
            _event(
                api,
                "设立",
                credit_code=credit_code(division="360826"),
                name=f"泰和县统计{i}公司",
                region="360826100",
            )
        _event(
            api,
            "设立",
            credit_code=credit_code(prefix="52", division="360826"),
            name="泰和县统计协会",
            region="360826100",
        )
    first = Organization.objects.get(name="泰和县统计0公司")
    with time_machine.travel("2026-10-20 10:00 +0800", tick=False):
        save_instructor(
            None,
            actor=office_user,
            today=D(2026, 10, 20),
            organizations=[first],
            name="王指导",
            phone="13800138002",
        )
    with time_machine.travel("2026-11-15 10:00 +0800", tick=False):
        figures = api.get("/api/v1/registrations/followups/figures").json()
        page = client_for(taihe).get("/registry/followups/").content.decode()
    assert (figures["opened"], figures["closed_in_time"], figures["open"], figures["overdue"]) == (4, 1, 3, 3)
    by_unit = {
        row["unit"]: (row["opened"], row["closed_in_time"], row["overdue"]) for row in figures["by_unit"]
    }
    assert by_unit == {"市场监管局": (3, 1, 2), "民政局": (1, 0, 1)}
    assert "按责任单位" in page and "市场监管局" in page


@time_machine.travel("2026-11-02 10:00 +0800", tick=False)
def test_party_organizations_created_in_one_go_close_their_followups(taihe, token_client, office_user):
    from liangxin.coverage.services import create_party_orgs

    code = credit_code(division="360826")
    _event(token_client(taihe), "设立", credit_code=code, name="泰和县摸排建支部公司", region="360826100")
    org = Organization.objects.get(credit_code=code)
    create_party_orgs(
        [({"name": "泰和县摸排建支部公司党支部", "org_type": "branch", "formation": Formation.SINGLE,
           "founded_on": D(2026, 11, 2)}, [org])],
        actor=office_user, today=D(2026, 11, 2),
    )  # fmt: skip
    followup = FollowUp.objects.get(organization=org, kind="new")
    assert followup.status == "done" and "泰和县摸排建支部公司党支部" in followup.note


@time_machine.travel("2026-11-02 10:00 +0800", tick=False)
def test_a_change_updates_the_registry_without_a_second_followup(taihe, token_client):
    api = token_client(taihe)
    code = credit_code(division="360826")
    _event(api, "设立", credit_code=code, name="泰和县将改名公司", region="360826100", employees=8)
    response = _event(api, "变更", credit_code=code, name="泰和县已改名公司", employees=40)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"]) == (0, 1)
    org = Organization.objects.get(credit_code=code)
    assert (org.name, org.employees, org.region.code) == ("泰和县已改名公司", 40, "360826100")
    assert FollowUp.objects.filter(organization=org).count() == 1  # still the one 设立 opened
    assert [f["kind"] for f in body["followups"]] == ["new"]


@time_machine.travel("2026-11-02 10:00 +0800", tick=False)
def test_the_gatekeeping_unit_is_configurable(taihe, token_client, settings):
    settings.LIANGXIN_FOLLOWUP_UNITS = {"enterprise": "工信局", "social": "民政局"}
    body = _event(
        token_client(taihe),
        "设立",
        credit_code=credit_code(division="360826"),
        name="泰和县工信把关公司",
        region="360826100",
    ).json()
    assert body["followups"][0]["unit"] == "工信局"
    assert FollowUp.objects.get(organization__name="泰和县工信把关公司").unit.name == "工信局"


def test_a_county_token_cannot_change_or_cancel_another_countys_organization(taihe, token_client):
    theirs = make_org("吉州区登记别人的公司", region="360802001")
    api = token_client(taihe)
    changed = _event(api, "变更", credit_code=theirs.credit_code, name="改名")
    assert changed.status_code == 403 and "管辖范围" in changed.json()["detail"]
    assert _event(api, "注销", credit_code=theirs.credit_code).status_code == 404  # as a missing one
    theirs.refresh_from_db()
    assert (theirs.name, theirs.status) == ("吉州区登记别人的公司", "active")
    assert not FollowUp.objects.filter(organization=theirs).exists()
