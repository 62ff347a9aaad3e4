"""At month end another unit's first save can land between the two reads of a period's status
(its reports, then their events): the page is drawn from the reports it read, never a 500."""

import datetime

from liangxin.dispatch.status import end_of_day, reports_as_of

MAY = datetime.date(2022, 5, 1)


def test_an_event_of_a_report_saved_after_the_reports_were_read_waits_for_the_next_page():
    at = end_of_day(datetime.date(2022, 5, 10))
    reports = [{"id": 1, "period__month": MAY}]
    events = [
        {"report_id": 1, "action": "submitted", "at": at, "status": "on_track", "percent": 60},
        {
            "report_id": 2,
            "action": "saved",
            "at": at,
            "status": "on_track",
            "percent": 10,
        },  # committed between
    ]
    states = reports_as_of(reports, events)
    assert list(states) == [1]
    assert states[1].state == "submitted" and states[1].submitted.percent == 60
