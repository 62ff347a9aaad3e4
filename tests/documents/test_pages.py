"""The bulletin pages: the office sees every period, units download published ones only."""

import pytest

from liangxin.documents.models import Bulletin
from tests.factories import make_user


@pytest.fixture
def periods(city):
    import datetime

    Bulletin.objects.create(
        period="2022-04", as_of=datetime.date(2022, 4, 30), status="published", docx=b"PK-april", xlsx=b"PK-x"
    )
    Bulletin.objects.create(period="2022-05", as_of=datetime.date(2022, 5, 31))


def test_the_office_sees_drafts_and_published_periods(periods, client_for):
    page = client_for(make_user("o1", role="office")).get("/documents/bulletins/").content.decode()
    assert "2022-04" in page and "2022-05" in page and "草稿" in page


def test_a_county_downloads_published_bulletins_but_sees_no_draft(periods, client_for):
    county = client_for(make_user("c1", role="county", region="360803"))
    page = county.get("/documents/bulletins/").content.decode()
    assert "2022-04" in page and "2022-05" not in page
    assert county.get("/documents/bulletins/2022-04.docx").content == b"PK-april"
    assert county.get("/documents/bulletins/2022-05.docx").status_code == 404


def test_every_download_of_a_published_bulletin_is_audited(periods, client_for):
    from liangxin.core.models import AuditLog

    unit = client_for(make_user("m1", role="member_unit", member_unit="民政局"))
    assert unit.get("/documents/bulletins/2022-04.xlsx").content == b"PK-x"
    entry = AuditLog.objects.get(action="documents.bulletin.downloaded")
    assert (entry.actor_name, entry.object_id, entry.after["kind"]) == ("m1", "2022-04", "xlsx")
    assert unit.get("/documents/bulletins/2022-05.docx").status_code == 404  # a draft: not downloaded
    assert AuditLog.objects.filter(action="documents.bulletin.downloaded").count() == 1


def test_a_park_user_gets_403(periods, client_for):
    assert client_for(make_user("i1", role="park")).get("/documents/bulletins/").status_code == 403
