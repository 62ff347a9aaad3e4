"""A rider reports through a station's link without an account: the form, the photo, the rate
limits, the honeypot, the receipt and following it."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from liangxin.core.models import Region
from liangxin.workforce.models import ReportStatus, SentinelReport
from tests.workforce.factories import jpeg_with_gps, make_report, make_station

pytestmark = pytest.mark.django_db
NOON = "2026-05-12 12:00 +0800"  # a Tuesday


def _post(client, station, *, nonce="n1", addr="10.0.0.1", **extra):
    data = {
        "nonce": nonce,
        "category": "safety",
        "region": Region.objects.get(code="360802001").pk,
        "place": "人民路与井冈山大道路口",
        "description": "井盖破损，电动车容易摔倒",
        "reporter_name": "张三丰",
        "reporter_phone": "13812345678",
    } | extra
    return client.post(f"/s/{station.link_token}/", data, REMOTE_ADDR=addr)


@pytest.fixture
def station(city):
    return make_station("古南网点", link=True)


def test_it_takes_a_report_and_gives_a_receipt_to_follow(station):
    client = Client()
    with time_machine.travel(NOON, tick=False):
        form = client.get(f"/s/{station.link_token}/")
        assert form.status_code == 200 and "流动哨兵" in form.content.decode()
        response = _post(client, station)
    assert response.status_code == 302
    report = SentinelReport.objects.get()
    assert response["Location"] == f"/s/{station.link_token}/receipt/{report.receipt}/"
    page = client.get(response["Location"]).content.decode()
    assert report.receipt in page
    assert report.region.code == "360802001" and report.township_code == "360802001"
    assert str(report.due_on) == "2026-05-15"  # three working days after Tuesday
    assert report.reporter_phone == "13812345678" and report.client_key != "10.0.0.1"
    track = client.get("/s/track/", {"receipt": report.receipt.lower()}).content.decode()
    assert "待受理" in track and "张三丰" not in track and "13812345678" not in track


def test_the_due_day_skips_the_weekend(station):
    with time_machine.travel("2026-05-15 09:00 +0800", tick=False):  # a Friday
        _post(Client(), station)
    assert str(SentinelReport.objects.get().due_on) == "2026-05-20"


def test_a_burst_of_30_gets_the_message_after_the_limit_and_keeps_every_accepted_one(station, settings):
    settings.LIANGXIN_SENTINEL_LINK_PER_MINUTE = 10
    client = Client()
    outcomes = []
    with time_machine.travel(NOON, tick=False):
        for i in range(30):
            response = _post(client, station, nonce=f"burst-{i}", addr=f"10.0.1.{i}")
            outcomes.append(response.status_code)
            if response.status_code == 429:
                assert "提交太频繁" in response.content.decode()
                assert "一分钟内最多受理 10 份" in response.content.decode()
    assert outcomes == [302] * 10 + [429] * 20
    stored = SentinelReport.objects.filter(station=station)
    assert stored.count() == 10
    assert sorted(stored.values_list("nonce", flat=True)) == sorted(f"burst-{i}" for i in range(10))
    assert len(set(stored.values_list("receipt", flat=True))) == 10
    with time_machine.travel(
        "2026-05-12 12:01:01 +0800", tick=False
    ):  # a minute later it takes reports again
        assert _post(client, station, nonce="after", addr="10.0.2.1").status_code == 302


def test_the_same_form_sent_twice_is_one_report(station):
    client = Client()
    first = _post(client, station, nonce="same")
    second = _post(client, station, nonce="same")
    assert first["Location"] == second["Location"]
    assert SentinelReport.objects.count() == 1


def test_one_client_is_limited_per_hour(station, settings):
    settings.LIANGXIN_SENTINEL_CLIENT_PER_HOUR = 3
    other = make_station("另一网点", link=True)
    client = Client()
    with time_machine.travel(NOON, tick=True):
        codes = [_post(client, s, nonce=f"c{i}").status_code for i, s in enumerate([station, other] * 2)]
    assert codes == [302, 302, 302, 429]
    assert SentinelReport.objects.count() == 3


def test_the_honeypot_stores_nothing(station):
    response = _post(Client(), station, website="http://spam.example")
    assert response.status_code == 200
    assert SentinelReport.objects.count() == 0


def test_bad_input_is_told_plainly_and_stores_nothing(station):
    response = _post(Client(), station, description="", reporter_phone="abc")
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" in page or "必填" in page
    assert "联系电话格式不对" in page
    assert SentinelReport.objects.count() == 0


def test_a_revoked_or_unknown_link_is_404(station, client_for, office):
    client_for(office).post(f"/workforce/stations/{station.pk}/link/", {"action": "revoke"})
    assert Client().get(f"/s/{station.link_token}/").status_code == 404
    station.refresh_from_db()
    assert station.link_token is None
    assert Client().get("/s/not-a-token/").status_code == 404


def test_the_stored_photo_has_no_gps_exif(station):
    upload = SimpleUploadedFile("p.jpg", jpeg_with_gps(3000, 2000), content_type="image/jpeg")
    assert _post(Client(), station, photo=upload).status_code == 302
    stored = Image.open(io.BytesIO(bytes(SentinelReport.objects.get().photo)))
    exif = stored.getexif()
    assert not exif.get_ifd(0x8825)
    assert 0x010F not in exif  # no camera make either: only pixels are kept
    assert max(stored.size) == 1600


def test_the_photo_keeps_its_position_when_the_rider_ticks_it(station):
    upload = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    _post(Client(), station, photo=upload, keep_location="on")
    report = SentinelReport.objects.get()
    gps = Image.open(io.BytesIO(bytes(report.photo))).getexif().get_ifd(0x8825)
    assert gps[1] == "N" and report.photo_keeps_location


def test_a_file_that_is_not_a_picture_is_refused_plainly(station):
    upload = SimpleUploadedFile("p.jpg", b"not a picture", content_type="image/jpeg")
    page = _post(Client(), station, photo=upload).content.decode()
    assert "照片无法打开" in page
    assert SentinelReport.objects.count() == 0


def test_a_photo_too_large_is_refused(station, settings):
    settings.LIANGXIN_SENTINEL_PHOTO_MAX_MB = 0
    upload = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert "照片超过 0 MB" in _post(Client(), station, photo=upload).content.decode()


def test_a_link_reveals_nothing_of_other_reports(station):
    other = make_report(make_station("别的网点", link=True), description="别处的秘密")
    mine = make_report(station)
    client = Client()
    assert client.get(f"/s/{station.link_token}/receipt/{other.receipt}/").status_code == 404
    page = client.get(f"/s/{station.link_token}/receipt/{mine.receipt}/").content.decode()
    assert mine.receipt in page and other.receipt not in page and "别处的秘密" not in page
    assert "别处的秘密" not in client.get("/s/track/", {"receipt": other.receipt}).content.decode()


def test_a_category_can_go_to_a_member_unit(station, settings):
    settings.LIANGXIN_SENTINEL_ROUTES = {"交通设施": "交通运输局"}
    _post(Client(), station, category="traffic")
    report = SentinelReport.objects.get()
    assert report.unit.name == "交通运输局" and report.status == ReportStatus.NEW
