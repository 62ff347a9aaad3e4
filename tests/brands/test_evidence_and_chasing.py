"""What a unit does on the brand pages besides registering: evidence files uploaded and read
back (never by another unit), a revisit answered on its form, and a unit late for the campaign
chased by the dispatch's own notices (no second mechanism)."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from liangxin.brands.models import BrandAttachment, Revisit, Stage
from liangxin.brands.status import campaign_status
from liangxin.dispatch import reports
from liangxin.dispatch.models import Notice
from liangxin.dispatch.periods import open_period
from tests.brands.factories import add_brand, report
from tests.dispatch.factories import at
from tests.factories import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def minzheng():
    return make_user("minzheng", role="member_unit", member_unit="民政局")


def test_a_unit_uploads_evidence_and_reads_it_back_and_another_unit_cannot(campaign, minzheng, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站")
    client = client_for(minzheng)
    upload = SimpleUploadedFile("社工站台账.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("brands:evidence_upload", args=[brand.pk]), {"file": upload})
    assert response.status_code == 302
    attachment = BrandAttachment.objects.get(brand=brand)
    page = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
    download = reverse("brands:evidence_download", args=[brand.pk, attachment.pk])
    assert "社工站台账.pdf" in page and download in page
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert (
        "社工站台账.pdf" in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]
    )

    outsider = client_for(make_user("sifa", role="member_unit", member_unit="司法局"))
    assert outsider.get(download).status_code == 404
    assert (
        outsider.get(reverse("brands:evidence_download", args=[brand.pk, attachment.pk + 1])).status_code
        == 404
    )


def test_a_file_of_a_type_not_accepted_is_refused_with_its_name(campaign, minzheng, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站")
    client = client_for(minzheng)
    upload = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(reverse("brands:evidence_upload", args=[brand.pk]), {"file": upload}, follow=True)
    assert "附件“setup.exe”的类型不支持" in response.content.decode()
    assert not BrandAttachment.objects.exists()


def test_a_unit_answers_a_due_revisit_on_its_form(campaign, minzheng, client_for):
    brand = add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 7, 15))
    client = client_for(minzheng)
    with time_machine.travel("2023-01-16 10:00 +0800", tick=False):
        listing = client.get(reverse("brands:revisits")).content.decode()
        assert "红色社工站" in listing and "待回访" in listing
        revisit = brand.revisits.get(months=6)
        response = client.post(
            reverse("brands:revisit_answer", args=[revisit.pk]),
            {"still_active": "1", "note": "每周开放两次，服务老人 300 人次"},
        )
        assert response.status_code == 302
        listing = client.get(reverse("brands:revisits")).content.decode()
        assert reverse("brands:revisit_answer", args=[revisit.pk]) not in listing
    revisit.refresh_from_db()
    assert revisit.still_active and revisit.note == "每周开放两次，服务老人 300 人次"
    brand.refresh_from_db()
    assert brand.active
    status = campaign_status(campaign, D(2023, 1, 20))
    assert (status.revisits_due, status.revisits_overdue, status.inactive) == (0, 0, 0)
    assert Revisit.objects.filter(brand=brand, answered_at__isnull=True).get().months == 12


def test_a_revisit_left_unanswered_past_its_grace_is_listed_as_overdue(campaign, minzheng, client_for):
    add_brand(campaign, "民政局", "红色社工站", stage=Stage.NAMED, named_on=D(2022, 7, 15))
    with time_machine.travel("2023-02-20 10:00 +0800", tick=False):
        listing = client_for(minzheng).get(reverse("brands:revisits")).content.decode()
    assert "红色社工站" in listing and "逾期未回访" in listing


def test_a_unit_late_for_the_campaign_is_chased_by_dispatch_ticks_notices(campaign, office):
    add_brand(campaign, "民政局", "红色社工站")
    # 民政局 reports in June and the office accepts it: the dispatch expects nothing more of it
    reports.accept_report(report(campaign, "民政局", "2022-06-20"), actor=office, at=at("2022-06-21"))
    july, _ = open_period(D(2022, 7, 1), actor=None)
    after_due = july.due_date + datetime.timedelta(days=1)
    with time_machine.travel(f"{after_due.isoformat()} 08:00 +0800", tick=False):
        call_command("dispatch_tick", stdout=io.StringIO())
    overdue = Notice.objects.filter(kind="overdue", period=july)
    assert [n.unit.name for n in overdue] == ["司法局"]
    assert "未报送" in overdue.get().message
    assert [row.unit.name for row in campaign_status(campaign, after_due).late_units] == ["司法局"]


def test_the_office_opens_a_campaign_on_its_page_due_june_30_with_its_revisit_months(
    city, office, client_for
):
    from liangxin.brands.models import Campaign
    from tests.dispatch.factories import unit

    form = {
        "year": "2023",
        "deadline": "",
        "units": [unit("民政局").pk, unit("工商联").pk],
        "revisit_months": "3，9",
    }
    county = client_for(make_user("jizhou", role="county", region="360802"))
    assert county.post(reverse("brands:campaign_create"), form).status_code == 403
    with time_machine.travel("2023-02-01 10:00 +0800", tick=False):
        response = client_for(office).post(reverse("brands:campaign_create"), form)
    assert response.status_code == 302
    campaign = Campaign.objects.get(year=2023)
    assert (campaign.deadline, campaign.revisit_months) == (D(2023, 6, 30), [3, 9])
    assert sorted(campaign.task.assignments.values_list("unit__name", flat=True)) == ["工商联", "民政局"]
    assert campaign.task.deadline == D(2023, 6, 30)
    bad = client_for(office).post(
        reverse("brands:campaign_create"), form | {"year": "2024", "revisit_months": "0"}
    )
    assert (
        "请填写 1 到 60 之间的月数" in bad.content.decode()
        and not Campaign.objects.filter(year=2024).exists()
    )
