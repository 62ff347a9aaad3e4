"""A published bulletin stored as JSON and read back (liangxin.documents.serialize)."""

import io
import json
from decimal import Decimal

import pytest

from liangxin.documents.docx import render_bulletin
from liangxin.documents.serialize import SnapshotProblem, bulletin_from_json, bulletin_to_json
from liangxin.documents.workbook import write_bulletin_workbook
from tests.documents.factories import sample_bulletin


def through_json(data):
    return bulletin_from_json(json.loads(json.dumps(bulletin_to_json(data), ensure_ascii=False)))


def test_it_reads_back_exactly_what_it_stored():
    data = sample_bulletin()
    again = through_json(data)
    assert again == data
    assert isinstance(again.coverage[0].org_rate, Decimal)
    assert again.coverage_total.work_rate_change is None
    assert again.red_list[1].score == 96 and isinstance(again.red_list[1].score, int)


def test_a_stored_bulletin_renders_to_the_same_bytes():
    data = sample_bulletin()
    first, second = io.BytesIO(), io.BytesIO()
    render_bulletin(data, first)
    render_bulletin(through_json(data), second)
    assert first.getvalue() == second.getvalue()
    first, second = io.BytesIO(), io.BytesIO()
    write_bulletin_workbook(data, first)
    write_bulletin_workbook(through_json(data), second)
    assert first.getvalue() == second.getvalue()


def test_it_keeps_float_rates_as_they_were():
    data = sample_bulletin()
    data.coverage[0].org_rate = 0.8125
    assert through_json(data).coverage[0].org_rate == 0.8125


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        ({"version": 99, "bulletin": {}}, "存档格式无法识别"),
        ([], "存档格式无法识别"),
        ({"version": 1, "bulletin": {"year": 2022}}, "存档已损坏"),
    ],
)
def test_it_says_when_a_stored_bulletin_cannot_be_read(stored, message):
    with pytest.raises(SnapshotProblem, match=message):
        bulletin_from_json(stored)


def test_it_refuses_a_stored_task_with_an_unknown_light():
    stored = bulletin_to_json(sample_bulletin())
    stored["bulletin"]["tasks"][0]["light"] = "blue"
    with pytest.raises(SnapshotProblem, match="进展状态“blue”无法识别"):
        bulletin_from_json(stored)
