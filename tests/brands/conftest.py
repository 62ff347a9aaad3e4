import pytest
import time_machine

from liangxin.brands import services
from tests.dispatch.factories import unit


@pytest.fixture
def campaign(city, office):
    """2022's campaign, opened on 1 March: 民政局 and 司法局 must report by 30 June."""
    with time_machine.travel("2022-03-01 09:00 +0800", tick=False):
        return services.open_campaign(2022, actor=office, units=[unit("民政局"), unit("司法局")])
