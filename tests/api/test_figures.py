import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from liangxin.documents.models import Bulletin
from tests.coverage.factories import make_instructor, make_org, make_party_org
from tests.scoping import OutsiderGetsNothing, ScopeCase


def test_coverage_is_the_same_json_as_the_command(city, token_client, office_user):
    covered = make_org("泰和县有党组织公司", region="360826100", members=5)
    make_party_org("泰和县有党组织公司党支部", covered)
    make_org("吉州区无党组织公司", region="360802001", members=4)
    api = token_client(office_user, "read")
    response = api.get("/api/v1/coverage", {"as_of": "2026-06-30", "by": "county"})
    assert response.status_code == 200
    out = StringIO()
    call_command("coverage", "--json", "--by", "county", "--as-of", "2026-06-30", stdout=out)
    assert response.json() == json.loads(out.getvalue())


def test_a_county_token_counts_only_its_county(city, token_client, taihe):
    make_org("泰和县计数公司", region="360826100", members=5)
    make_org("吉州区计数公司", region="360802001", members=5)
    table = token_client(taihe, "read").get("/api/v1/coverage", {"as_of": "2026-06-30"}).json()
    assert table["total"]["total"] == 1


def test_bad_figures_parameters_get_a_chinese_problem(city, token_client, taihe):
    api = token_client(taihe, "read")
    bad_date = api.get("/api/v1/coverage", {"as_of": "2026-13-01"})
    assert bad_date.status_code == 422 and "YYYY-MM-DD" in bad_date.json()["detail"]
    assert api.get("/api/v1/coverage", {"region": "999999"}).status_code == 404
    assert api.get("/api/v1/dispatch/status", {"period": "2026-99"}).status_code in (404, 422)


def test_blind_spots_are_the_commands_lists_within_the_token_scope(city, token_client, taihe):
    make_org("泰和县应建未建公司", region="360826100", members=5)
    make_org("吉州区应建未建公司", region="360802001", members=5)
    body = token_client(taihe, "read").get("/api/v1/blindspots", {"as_of": "2026-06-30"}).json()
    names = json.dumps(body, ensure_ascii=False)
    assert "泰和县应建未建公司" in names and "吉州区应建未建公司" not in names


def test_only_published_bulletins_are_listed_and_downloaded(city, token_client, taihe):
    Bulletin.objects.create(
        period="2026-05", as_of="2026-05-31", status="published", docx=b"PK-docx", xlsx=b"PK"
    )
    Bulletin.objects.create(period="2026-06", as_of="2026-06-30", status="draft", docx=b"draft")
    api = token_client(taihe, "read")
    assert [b["period"] for b in api.get("/api/v1/bulletins/").json()] == ["2026-05"]
    file = api.get("/api/v1/bulletins/2026-05/docx")
    assert file.status_code == 200 and file.content == b"PK-docx"
    assert api.get("/api/v1/bulletins/2026-06/docx").status_code == 404
    assert Client().get("/api/v1/bulletins/2026-05/docx").status_code == 401


class TestPartyOrganizationsAndInstructorsAreScoped(OutsiderGetsNothing):
    @pytest.fixture
    def scope_case(self, jizhou, taihe, read_client_for):
        org = make_org("泰和县接口覆盖公司", region="360826100")
        party_org = make_party_org("泰和县接口覆盖公司党支部", org)
        make_instructor("泰和县接口覆盖指导员", org, phone="13907960001")
        return ScopeCase(
            obj=party_org,
            insider=taihe,
            outsider=jizhou,
            marker="泰和县接口覆盖",
            list_urls=[
                "/api/v1/party-organizations/",
                "/api/v1/instructors/",
                "/api/v1/organizations/?q=接口覆盖",
            ],
            client_factory=read_client_for,
        )
