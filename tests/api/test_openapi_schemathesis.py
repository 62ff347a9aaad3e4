"""schemathesis against the OpenAPI document, over a loopback live server (pytest-django's
live_server), in the normal pytest run: bounded examples per operation; no 500 anywhere, every
status code documented, every response body matching its schema."""

import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from liangxin.api import tokens
from liangxin.core.models import Installation
from liangxin.core.services import setup_installation
from liangxin.coverage.models import BranchInspection, Formation
from tests.committee.factories import make_committee
from tests.coverage.factories import make_party_org
from tests.dispatch.factories import at
from tests.factories import make_user
from tests.registry.factories import make_org
from tests.workforce.factories import make_report, make_station

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(live_server, transactional_db):
    # Transactional tests flush the database: load the city again.
    Installation.current_city() or setup_installation("360800")
    office = make_user("schemathesis-office", role="office")
    org = make_org("泰和县契约测试公司", region="360826100", party_members=3)
    # A row in each newer ledger, so the generated requests read real rows, not only empty pages.
    branch = make_party_org("泰和县契约测试联合支部", org, formation=Formation.JOINT, region="360826")
    BranchInspection.objects.create(party_org=branch, inspected_on=datetime.date(2026, 5, 6), rating="poor")
    make_report(make_station("契约测试网点", region="360826100"), submitted_at=at("2026-05-12"))
    make_committee("契约测试行业党委", owner="交通运输局", industries=("G",))
    _, secret = tokens.create_token(
        actor=None, name="schemathesis", user=office, access="write", days=1, rate_per_minute=100_000
    )
    loaded = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    loaded.config.headers = {"Authorization": f"Bearer {secret}"}
    return loaded


def test_the_api_answers_every_generated_request_as_documented(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 33
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def answers_as_documented(case):
            case.call_and_validate(checks=CHECKS)

        answers_as_documented()
