"""The bulletin carries the 整改 per county on the bulletin's date — the workbook as its annex
sheet, the Word document in a sentence after 表1 — counted by
`coverage.rectification.county_counts`, the function the quality view uses."""

import datetime
import io

import docx
import openpyxl
import pytest
from django.core.management import call_command

from liangxin.coverage.models import Formation, Rectification
from tests.coverage.factories import make_org, make_party_org

D = datetime.date


@pytest.mark.django_db
def test_the_annex_counts_open_overdue_and_closed_rectifications_per_county(may, tmp_path):
    branch = make_party_org("吉州整改联合党支部", make_org("吉州小店", members=1), formation=Formation.JOINT)
    for due, closed in ((D(2022, 5, 10), None), (D(2022, 6, 30), None), (D(2022, 5, 1), D(2022, 5, 20))):
        Rectification.objects.create(
            party_org=branch, problem="问题", opened_on=D(2022, 4, 20), due_on=due, closed_on=closed,
            outcome="已整改" if closed else "",
        )  # fmt: skip
    call_command(
        "bulletin", "--period=2022-05", "--as-of=2022-05-31", "--issue-date=2022-06-06",
        f"--out={tmp_path / '通报.docx'}", f"--xlsx={tmp_path / '通报.xlsx'}", stdout=io.StringIO(),
    )  # fmt: skip
    sheet = openpyxl.load_workbook(tmp_path / "通报.xlsx")["附件 整改情况"]
    assert "附件" in sheet["A1"].value and "2022年5月31日" in sheet["A1"].value
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["吉州区"] == (2, 1, 1)
    assert rows["青原区"] == (0, 0, 0)
    assert rows["合计"] == (2, 1, 1)
    text = [p.text for p in docx.Document(tmp_path / "通报.docx").paragraphs]
    assert (
        "截至2022年5月31日，联合党支部排查发现问题的整改事项未销号2个，其中逾期1个；已销号1个。"
        "分县（市、区）看，吉州区未销号2个（其中逾期1个）、已销号1个。"
    ) in text


@pytest.mark.django_db
def test_the_word_bulletin_says_so_when_there_is_nothing_to_rectify(may, tmp_path):
    call_command(
        "bulletin", "--period=2022-05", "--as-of=2022-05-31", "--issue-date=2022-06-06",
        f"--out={tmp_path / '通报.docx'}", stdout=io.StringIO(),
    )  # fmt: skip
    text = [p.text for p in docx.Document(tmp_path / "通报.docx").paragraphs]
    assert "截至2022年5月31日，联合党支部排查尚未发现需整改的问题。" in text
