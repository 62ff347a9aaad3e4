import pytest
from django.urls import reverse

from liangxin.core.models import AuditLog
from liangxin.registry.models import FollowUp, Organization
from tests.registry.factories import credit_code, make_org
from tests.scoping import OutsiderGetsNothing, ScopeCase

LIST = "/api/v1/organizations/"
BULK = "/api/v1/organizations/bulk"


def _json(client, method, url, data, **headers):
    return getattr(client, method)(url, data, content_type="application/json", **headers)


class TestTheApiIsScopedLikeThePages(OutsiderGetsNothing):
    """A token acting as a 泰和县 account reads only 泰和县 (the shared outsider suite)."""

    @pytest.fixture
    def scope_case(self, jizhou, taihe, read_client_for):
        org = make_org("泰和县澄江接口公司", region="360826100", phone="13907961234")
        return ScopeCase(
            obj=org,
            insider=taihe,
            outsider=jizhou,
            marker="泰和县澄江接口",
            detail_urls=[f"{LIST}{org.credit_code}"],
            list_urls=[LIST, f"{LIST}?q=澄江", f"{LIST}?region=360826"],
            client_factory=read_client_for,
        )


def test_the_list_filters_like_the_registry_and_pages_by_cursor(taihe, token_client):
    for i in range(5):
        make_org(f"泰和县游标{i}公司", region="360826100", party_members=i)
    make_org("泰和县社会组织协会", region="360826100", kind="social")
    api = token_client(taihe, "read")
    names, cursor = [], None
    while True:
        response = api.get(LIST, {"kind": "enterprise", "limit": 2, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.json()
        names += [o["name"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == [f"泰和县游标{i}公司" for i in (4, 3, 2, 1, 0)]
    assert [o["name"] for o in api.get(LIST, {"party": "3+"}).json()["items"]] == [
        "泰和县游标4公司",
        "泰和县游标3公司",
    ]
    bad = api.get(LIST, {"cursor": "@@@"})
    assert bad.status_code == 400 and "游标" in bad.json()["detail"]


def test_a_county_token_writes_its_county_through_the_importer_rules(taihe, token_client):
    api = token_client(taihe)
    code = credit_code(division="360826")
    response = _json(
        api,
        "post",
        LIST,
        {"credit_code": code, "name": "泰和县接口新建公司", "region": "360826100", "party_members": 3,
         "tags": ["快递"], "phone": "不是电话"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 1 and body["organization"]["tags"] == ["快递"]
    assert body["warnings"][0]["field"] == "phone" and "电话号码" in body["warnings"][0]["message"]
    org = Organization.objects.get(credit_code=code)
    assert FollowUp.objects.filter(organization=org, kind="new").exists()  # 三同步, as an import
    record = AuditLog.objects.get(action="registry.organization.created", object_id=str(org.pk))
    assert record.source == "api" and record.actor == taihe and "测试对接系统" in record.source_detail

    again = _json(api, "post", LIST, {"credit_code": code, "name": "重复"})
    assert again.status_code == 409
    patched = _json(api, "patch", f"{LIST}{code}", {"party_members": "12人"})
    assert patched.status_code == 200 and patched.json()["organization"]["party_members"] == 12
    assert patched.json()["organization"]["name"] == "泰和县接口新建公司"  # left out: unchanged


def test_field_errors_carry_the_importers_messages_and_nothing_is_written(taihe, token_client):
    api = token_client(taihe)
    good = credit_code(division="360826")
    response = _json(
        api,
        "post",
        BULK,
        {"items": [
            {"credit_code": good, "name": "泰和县好数据公司", "region": "360826100"},
            {"credit_code": "91360826MA00000000", "name": "坏代码公司", "region": "360826100"},
            {"credit_code": credit_code(division="360826"), "name": "负数公司", "region": "360826100",
             "party_members": -1},
        ]},
    )  # fmt: skip
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert "未写入任何数据" in problem["detail"]
    fields = {(e["index"], e["field"]) for e in problem["errors"]}
    assert fields == {(1, "credit_code"), (2, "party_members")}
    assert any("校验" in e["message"] for e in problem["errors"] if e["field"] == "credit_code")
    assert not Organization.objects.filter(credit_code=good).exists()


def test_a_county_token_cannot_write_another_county(taihe, jizhou, token_client):
    theirs = make_org("吉州区别人的公司", region="360802001")
    api = token_client(taihe)
    refused = _json(api, "put", f"{LIST}{theirs.credit_code}", {"name": "改名"})
    assert refused.status_code == 403
    assert _json(api, "patch", f"{LIST}{theirs.credit_code}", {"name": "改名"}).status_code == 404
    outside = _json(
        api,
        "post",
        LIST,
        {"credit_code": credit_code(division="360802"), "name": "越界", "region": "360802001"},
    )
    assert outside.status_code == 403 and "管辖范围" in outside.json()["detail"]
    theirs.refresh_from_db()
    assert theirs.name == "吉州区别人的公司"


def _items(n, division="360826"):
    return [
        {"credit_code": credit_code(division=division, serial=900_000 + i), "name": f"泰和县批量{i}号公司",
         "region": "360826100", "employees": i % 50, "industry": "C39"}
        for i in range(n)
    ]  # fmt: skip


def test_bulk_upsert_of_5000_twice_changes_nothing_the_second_time(taihe, make_token):
    from django.test import Client

    _token, secret = make_token(taihe, name="市场监管登记系统")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    items = _items(5000)
    first = _json(api, "post", BULK, {"items": items})
    assert first.status_code == 200, first.content[:500]
    assert first.json()["created"] == 5000
    created = AuditLog.objects.filter(action="registry.organization.created")
    assert created.count() == 5000  # one record per organization, each naming the token
    assert set(created.values_list("source", "source_detail", "actor")) == {
        ("api", "接口令牌：市场监管登记系统", taihe.pk)
    }
    audits = AuditLog.objects.count()
    stamps = dict(Organization.objects.values_list("credit_code", "updated_at"))
    second = _json(api, "post", BULK, {"items": items})
    assert second.json() == {"created": 0, "updated": 0, "unchanged": 5000, "warnings": []}
    assert AuditLog.objects.count() == audits
    assert dict(Organization.objects.values_list("credit_code", "updated_at")) == stamps


def test_a_county_tokens_bulk_with_another_countys_rows_writes_nothing(taihe, token_client):
    theirs = make_org("吉州区批量别人的公司", region="360802001")
    mine = _items(2)
    items = [
        *mine,
        {"credit_code": theirs.credit_code, "name": "改名"},
        {"credit_code": credit_code(division="360802"), "name": "吉州区越界新建公司", "region": "360802001"},
    ]
    response = _json(token_client(taihe), "post", BULK, {"items": items})
    assert response.status_code == 422
    problem = response.json()
    assert "不在您的管辖范围内" in problem["detail"] and "未写入任何数据" in problem["detail"]
    assert sorted(e["index"] for e in problem["errors"]) == [2, 3]
    assert all("管辖范围" in e["message"] for e in problem["errors"])
    assert not Organization.objects.filter(credit_code__in=[i["credit_code"] for i in mine]).exists()
    assert not Organization.objects.filter(name="吉州区越界新建公司").exists()
    theirs.refresh_from_db()
    assert theirs.name == "吉州区批量别人的公司"


def test_more_than_5000_items_are_refused(taihe, token_client):
    response = _json(token_client(taihe), "post", BULK, {"items": [{"credit_code": "x"}] * 5001})
    assert response.status_code == 413 and "5000" in response.json()["detail"]


def test_a_retried_request_with_the_same_idempotency_key_is_applied_once(taihe, token_client):
    api = token_client(taihe)
    items = _items(3)
    first = _json(api, "post", BULK, {"items": items}, HTTP_IDEMPOTENCY_KEY="batch-2026-12-04-1")
    assert first.json()["created"] == 3
    Organization.objects.filter(credit_code=items[0]["credit_code"]).update(name="其间有人改名")
    retried = _json(api, "post", BULK, {"items": items}, HTTP_IDEMPOTENCY_KEY="batch-2026-12-04-1")
    assert retried.status_code == 200 and retried["Idempotent-Replayed"] == "true"
    assert retried.json()["created"] == 3
    assert (
        Organization.objects.get(credit_code=items[0]["credit_code"]).name == "其间有人改名"
    )  # not re-applied
    assert AuditLog.objects.filter(action="registry.organization.created").count() == 3
    other = _json(api, "post", BULK, {"items": items[:1]}, HTTP_IDEMPOTENCY_KEY="batch-2026-12-04-1")
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]


def test_the_audit_log_names_the_token_on_updates(taihe, make_token):
    from django.test import Client

    org = make_org("泰和县审计测试公司", region="360826100")
    _token, secret = make_token(taihe, name="民政登记系统")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = _json(api, "put", f"{LIST}{org.credit_code}", {"name": "泰和县审计测试公司（改）"})
    assert response.status_code == 200 and response.json()["updated"] == 1
    record = AuditLog.objects.get(action="registry.organization.updated", object_id=str(org.pk))
    assert record.source == "api" and record.source_detail == "接口令牌：民政登记系统"
    assert record.after == {"name": "泰和县审计测试公司（改）"}
    assert reverse("api:tokens")


def test_personal_data_is_masked_in_the_api_as_on_the_pages(city, jizhou, token_client):
    """A member unit that sees an organization (and its instructor) only through its sector reads
    the phone and contact masked; the supervising unit and the county keep them in full."""
    from liangxin.core.models import MemberUnit
    from tests.coverage.factories import make_instructor
    from tests.factories import make_user

    org = make_org(
        "吉州区接口物流公司",
        region="360802001",
        industry_id="54",
        industry_section="G",
        supervising_unit=MemberUnit.objects.get(name="商务局"),
        phone="13907961234",
        contact="张三丰",
    )
    make_instructor("吉州区接口指导员", org, phone="13907965678")
    jiaotong = make_user("jiaotong", role="member_unit", member_unit="交通运输局")
    shangwu = make_user("shangwu", role="member_unit", member_unit="商务局")

    def read(user):
        api = token_client(user, "read")
        listed = api.get(LIST, {"q": "接口物流"}).json()["items"]
        detail = api.get(f"{LIST}{org.credit_code}").json()
        instructors = api.get("/api/v1/instructors/").json()
        return listed, detail, str(instructors)

    listed, detail, instructors = read(jiaotong)
    assert [(o["phone"], o["contact"]) for o in listed] == [("139****1234", "张**")]
    assert (detail["phone"], detail["contact"]) == ("139****1234", "张**")
    assert "139****5678" in instructors and "13907965678" not in instructors
    for keeper in (shangwu, jizhou):
        listed, detail, instructors = read(keeper)
        assert [(o["phone"], o["contact"]) for o in listed] == [("13907961234", "张三丰")]
        assert (detail["phone"], detail["contact"]) == ("13907961234", "张三丰")
    assert "13907965678" in read(jizhou)[2]
