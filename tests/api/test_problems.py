"""Every error of the API is a problem document (application/problem+json) in Chinese: ninja's own
405 and unreadable bodies, addresses the API does not have, and pydantic's field errors (422),
which name the field and the reason — no English from the libraries underneath."""

import pytest

PROBLEM = "application/problem+json"


@pytest.fixture
def api(city, token_client, office_user):
    return token_client(office_user)


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and not body["detail"].isascii()
    return body


def _no_english(body: dict) -> None:
    text = str(body)
    for english in ("Input should", "Field required", "Method not allowed", "Cannot parse", "value is not"):
        assert english not in text


def test_a_method_the_address_does_not_take_is_a_405_problem_naming_the_allowed_ones(api):
    response = api.delete("/api/v1/tasks/")
    body = _problem(response, 405)
    assert "DELETE" in body["detail"] and "GET" in body["detail"]
    assert response["Allow"] == "GET"
    patch_bulk = api.patch("/api/v1/organizations/bulk", {}, content_type="application/json")
    assert "POST" in _problem(patch_bulk, 405)["detail"]


def test_an_address_the_api_does_not_have_is_a_404_problem(api, client):
    body = _problem(api.get("/api/v1/no-such-thing/"), 404)
    assert "/api/v1/no-such-thing/" in body["detail"] and "少了结尾" not in body["detail"]
    missing_slash = _problem(api.get("/api/v1/tasks"), 404)
    assert "少了结尾的“/”（/api/v1/tasks/）" in missing_slash["detail"]
    _problem(client.get("/api/v1/no-such-thing/"), 404)  # without a token too: nothing to hide


def test_field_errors_name_the_field_and_the_reason_in_chinese(api):
    response = api.post(
        "/api/v1/organizations/bulk",
        {"items": [{"credit_code": "x", "employees": [1], "tags": 5, "above_scale": {}}]},
        content_type="application/json",
    )
    body = _problem(response, 422)
    _no_english(body)
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages == {
        "items.0.employees": "字段“items.0.employees”应为整数",
        "items.0.tags": "字段“items.0.tags”应为列表（JSON 数组）",
        "items.0.above_scale": "字段“items.0.above_scale”应为 true 或 false",
    }
    assert body["detail"].startswith("请求数据的格式不正确：字段“items.0.") and "共 3 处" in body["detail"]


def test_a_missing_field_and_a_limit_out_of_range_are_said_so(api):
    report = _problem(
        api.post(
            "/api/v1/reports/", {"period": "2026-05", "task_id": "第一项"}, content_type="application/json"
        ),
        422,
    )
    _no_english(report)
    assert {e["field"]: e["message"] for e in report["errors"]} == {
        "task_id": "字段“task_id”应为整数",
        "status": "字段“status”必须填写",
        "percent": "字段“percent”必须填写",
    }
    page = _problem(api.get("/api/v1/organizations/", {"limit": 501}), 422)
    assert page["errors"] == [{"field": "limit", "message": "字段“limit”应不大于 500"}]
    assert "应不小于 1" in _problem(api.get("/api/v1/organizations/", {"limit": 0}), 422)["detail"]


def test_a_body_that_is_not_json_is_a_chinese_400(api):
    body = _problem(
        api.post("/api/v1/organizations/bulk", "{不是 JSON", content_type="application/json"), 400
    )
    assert "JSON" in body["detail"] and "无法解析" in body["detail"]
