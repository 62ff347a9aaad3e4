import pytest
from django.urls import reverse

from liangxin.core.models import Area, AuditLog, MemberUnit, Region
from tests.factories import make_area, make_user
from tests.scoping import OutsiderGetsNothing, ScopeCase


@pytest.fixture
def jizhou_user(city):
    return make_user("jizhou", role="county", region="360802")


@pytest.fixture
def qingyuan_user(city):
    return make_user("qingyuan", role="county", region="360803")


class TestRegionsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, jizhou_user, qingyuan_user):
        township = Region.objects.filter(parent__code="360803").order_by("code").first()
        return ScopeCase(
            obj=Region.objects.get(code="360803"),
            insider=qingyuan_user,
            outsider=jizhou_user,
            marker="青原区",
            detail_urls=[
                reverse("core:region_detail", args=["360803"]),
                reverse("core:region_detail", args=[township.code]),
            ],
            list_urls=[
                reverse("core:regions"),
                reverse("core:regions") + "?q=青原",
                reverse("core:regions") + "?level=county",
            ],
        )


class TestAreasAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, jizhou_user, qingyuan_user):
        area = make_area("青原区测试园区", "360803")
        return ScopeCase(
            obj=area,
            insider=qingyuan_user,
            outsider=jizhou_user,
            marker="青原区测试园区",
            list_urls=[reverse("core:areas"), reverse("core:areas") + "?q=测试"],
            detail_urls=[reverse("core:region_detail", args=["360803"])],
            change_urls=[
                reverse("core:area_edit", args=[area.pk]),
                reverse("core:area_delete", args=[area.pk]),
            ],
        )


class TestMemberUnitsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, jizhou_user, qingyuan_user):
        unit = MemberUnit.objects.get(name="青原区委组织部")
        return ScopeCase(
            obj=unit,
            insider=qingyuan_user,
            outsider=jizhou_user,
            marker="青原区委组织部",
            detail_urls=[reverse("core:member_unit_detail", args=[unit.pk])],
            list_urls=[reverse("core:member_units")],
            change_urls=[reverse("core:member_unit_edit", args=[unit.pk])],
        )


class TestAMemberUnitSeesOnlyItself(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        return ScopeCase(
            obj=MemberUnit.objects.get(name="民政局"),
            insider=make_user("mz", role="member_unit", member_unit="民政局"),
            outsider=make_user("yz", role="member_unit", member_unit="邮政管理局"),
            marker="民政局",
            detail_urls=[reverse("core:member_unit_detail", args=[MemberUnit.objects.get(name="民政局").pk])],
            list_urls=[reverse("core:member_units")],
        )


class TestAParkUserSeesOnlyItsPark(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, city):
        mine = make_area("吉州测试园区", "360802")
        theirs = make_area("泰和测试园区", "360826")
        return ScopeCase(
            obj=theirs,
            insider=make_user("th", role="park", area=theirs),
            outsider=make_user("jz", role="park", area=mine),
            marker="泰和测试园区",
            list_urls=[reverse("core:areas")],
        )


def test_a_county_user_starts_from_its_own_county(client_for, jizhou_user):
    page = client_for(jizhou_user).get(reverse("core:regions")).content.decode()
    assert "吉州区" in page
    assert "吉安市" not in page.split("<main")[1] or "青原区" not in page


def test_the_office_sees_the_city_and_all_its_counties(client_for, office):
    page = client_for(office).get(reverse("core:regions")).content.decode()
    for name in ["吉州区", "青原区", "井冈山市", "吉安市"]:
        assert name in page


def test_the_office_adds_edits_and_deletes_an_area_and_each_step_is_audited(client_for, office):
    client = client_for(office)
    jizhou = Region.objects.get(code="360802")
    response = client.post(
        reverse("core:area_create"),
        {"name": "庐陵商务楼宇", "kind": "building", "region": jizhou.pk, "note": ""},
    )
    assert response.status_code == 302
    area = Area.objects.get(name="庐陵商务楼宇")
    assert (area.county_code, area.city_code) == ("360802", "360800")

    client.post(
        reverse("core:area_edit", args=[area.pk]),
        {"name": "庐陵大厦", "kind": "building", "region": jizhou.pk, "note": "十二层"},
    )
    area.refresh_from_db()
    assert area.name == "庐陵大厦"
    client.post(reverse("core:area_delete", args=[area.pk]))
    assert not Area.objects.filter(pk=area.pk).exists()

    actions = list(
        AuditLog.objects.filter(object_type="core.area").order_by("id").values_list("action", flat=True)
    )
    assert actions == ["core.area.created", "core.area.updated", "core.area.deleted"]
    updated = AuditLog.objects.get(action="core.area.updated")
    assert updated.before["name"] == "庐陵商务楼宇" and updated.after["name"] == "庐陵大厦"
    assert updated.actor == office and updated.ip == "127.0.0.1" and updated.source == "page"


def test_an_area_with_a_missing_name_shows_the_reason_in_chinese(client_for, office):
    response = client_for(office).post(
        reverse("core:area_create"),
        {"name": "", "kind": "park", "region": Region.objects.get(code="360802").pk},
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    assert not Area.objects.exists()


def test_a_county_user_cannot_edit_reference_data(client_for, jizhou_user):
    client = client_for(jizhou_user)
    assert client.get(reverse("core:area_create")).status_code == 403
    assert client.get(reverse("core:member_unit_create")).status_code == 403


def test_the_office_edits_a_member_units_industries_and_tags(client_for, office):
    unit = MemberUnit.objects.get(name="交通运输局")
    response = client_for(office).post(
        reverse("core:member_unit_edit", args=[unit.pk]),
        {
            "name": "交通运输局",
            "kind": "department",
            "region": unit.region.pk,
            "industries": ["54", "60"],
            "tags": "网约车、货运，快递",
            "contact": "",
            "phone": "",
            "sort": 30,
            "active": "on",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert sorted(unit.industries.values_list("code", flat=True)) == ["54", "60"]
    assert unit.tags == ["网约车", "货运", "快递"]
    log = AuditLog.objects.get(action="core.member_unit.updated")
    assert log.after["industries"] == ["54", "60"] and "tags" in log.after


def test_every_section_of_the_speech_is_built(client_for, office):
    home = client_for(office).get(reverse("home")).content.decode()
    assert "未开放" not in home and "两新组织台账" in home and "工委会议" in home
    assert client_for(office).get(reverse("not_built", args=["meetings"])).status_code == 404


def test_a_section_not_built_yet_says_so_plainly(client_for, office, monkeypatch):
    from liangxin.core import context_processors

    sections = [*context_processors.SECTIONS, ("以后", [("未来功能", None, "future", None)])]
    monkeypatch.setattr(context_processors, "SECTIONS", sections)
    assert "尚未开放" in client_for(office).get(reverse("not_built", args=["future"])).content.decode()
    home = client_for(office).get(reverse("home")).content.decode()
    assert "未来功能" in home and "未开放" in home
