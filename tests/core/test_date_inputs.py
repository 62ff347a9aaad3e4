"""Edit forms show the stored date in their date pickers (ISO), so saving an unrelated change
does not blank the date."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.registry.factories import make_org
from tests.workforce.factories import make_station


@pytest.mark.django_db
def test_the_organization_form_shows_its_founding_date(client_for, office):
    org = make_org("有成立日期的公司", founded_on=datetime.date(2020, 3, 9))
    page = client_for(office).get(reverse("registry:organization_edit", args=[org.pk])).content.decode()
    assert 'type="date"' in page and 'value="2020-03-09"' in page


@pytest.mark.django_db
def test_the_station_form_shows_its_dates(client_for, office, city):
    station = make_station("设立过的站点", established_on=datetime.date(2021, 7, 1))
    page = client_for(office).get(reverse("workforce:station_edit", args=[station.pk])).content.decode()
    assert 'value="2021-07-01"' in page
