"""The optional PDF of a bulletin through LibreOffice (liangxin.documents.pdf)."""

import re
import shutil
import subprocess

import pytest

from liangxin.documents import pdf
from liangxin.documents.docx import render_bulletin
from tests.documents.factories import sample_bulletin

needs_soffice = pytest.mark.skipif(
    pdf.soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext) is not installed: "
    "apt-get install -y libreoffice-writer-nogui fonts-noto-cjk poppler-utils",
)


def test_it_says_in_chinese_when_libreoffice_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfUnavailable, match="未安装 LibreOffice"):
        pdf.convert_to_pdf(tmp_path / "通报.docx")


@needs_soffice
def test_it_says_which_file_failed_to_convert(tmp_path):
    with pytest.raises(pdf.PdfUnavailable, match=r"“不存在\.docx”转换为 PDF 失败"):
        pdf.convert_to_pdf(tmp_path / "不存在.docx")


@needs_soffice
def test_the_bulletin_converts_to_a_pdf_of_a_few_a4_pages(tmp_path):
    source = tmp_path / "通报.docx"
    render_bulletin(sample_bulletin(), source)
    result = pdf.convert_to_pdf(source, tmp_path / "out")
    assert result == tmp_path / "out" / "通报.pdf"
    info = subprocess.run(["pdfinfo", str(result)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 2 <= pages <= 8  # the sample fills about four pages of 22 lines
    assert "A4" in info
    text = subprocess.run(
        ["pdftotext", "-layout", str(result), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = re.sub(r"\s+", "", text)
    assert "全市组织覆盖率为76.4%，较上月提高0.8个百分点" in compact
    assert "—1—" in compact and "—2—" in compact  # page numbers on odd and even pages
    # 28 characters a line: the first full body line holds 2 indent + 26 characters of text
    lines = [re.sub(r"\s+", "", line) for line in text.splitlines()]
    assert "为推动年度基层党建重点任务落地见效，市委党建办对" in lines
