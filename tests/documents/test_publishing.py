"""Publishing a bulletin freezes it (liangxin.documents.publishing)."""

import datetime

import pytest

from liangxin.core.models import AuditLog
from liangxin.documents import publishing
from liangxin.documents.models import Bulletin
from liangxin.documents.services import BulletinProblem
from tests.coverage.factories import make_org, make_party_org
from tests.factories import make_user

MAY = datetime.date(2022, 5, 1)
DATES = {"period": MAY, "as_of": datetime.date(2022, 5, 31), "issue_date": datetime.date(2022, 6, 6)}


@pytest.fixture
def office_user(city):
    return make_user("pub_office", role="office")


def test_a_published_period_regenerates_to_the_same_bytes_after_the_data_changed(may, office_user):
    bulletin = publishing.publish(**DATES, actor=office_user, requirements="一是抓落实。\n二是=SUM(A1)")
    assert bulletin.is_published and len(bulletin.sha256) == 64
    make_party_org("新建党支部", make_org("新企业", members=5))
    docx, xlsx = publishing.generate(**DATES, actor=office_user)
    assert docx == bytes(bulletin.docx) and xlsx == bytes(bulletin.xlsx)
    assert AuditLog.objects.filter(action="documents.bulletin.published", object_id="2022-05").exists()


def test_an_unpublished_period_follows_the_data(may, office_user):
    first, _ = publishing.generate(**DATES, actor=office_user)
    make_party_org("新建党支部", make_org("新企业", members=5))
    second, _ = publishing.generate(**DATES, actor=office_user)
    assert first != second
    assert not Bulletin.objects.exists()


def test_it_refuses_to_publish_a_period_twice(may, office_user):
    publishing.publish(**DATES, actor=office_user)
    with pytest.raises(BulletinProblem, match=r"2022年5月通报已于.*发布，不能重复发布"):
        publishing.publish(**DATES, actor=office_user)


def test_next_month_compares_with_the_published_snapshot(may, office_user):
    april = {"period": datetime.date(2022, 4, 1), "as_of": datetime.date(2022, 4, 30)}
    publishing.publish(**april, issue_date=datetime.date(2022, 5, 6), actor=office_user)
    make_party_org("四月后补的党支部", make_org("后补企业", members=5))  # changes April's live figures
    data = publishing.build(**DATES)
    stored = publishing.bulletin_from_json(Bulletin.objects.get(period="2022-04").snapshot)
    city = data.coverage_total
    assert city.org_rate_change == publishing.b.change_points(city.org_rate, stored.coverage_total.org_rate)


def test_the_command_publishes_and_writes_the_stored_file(may, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "may.docx"
    call_command("bulletin", "--period", "2022-05", "--as-of", "2022-05-31", "--out", str(out), "--publish")
    assert out.read_bytes() == bytes(Bulletin.objects.get(period="2022-05", status="published").docx)
