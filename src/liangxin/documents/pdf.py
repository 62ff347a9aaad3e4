"""Optional PDF of a bulletin, through LibreOffice when it is installed (`soffice` on PATH).

Debian: `apt-get install -y libreoffice-writer-nogui fonts-noto-cjk` (and, for a closer match
to the 公文 fonts, FandolFang/FandolHei/FandolKai from texlive-lang-chinese).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class PdfUnavailable(Exception):
    """LibreOffice is not installed, or the conversion failed; the message says so in Chinese."""


def soffice() -> str | None:
    """The LibreOffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(source: Path | str, out_dir: Path | str | None = None, *, timeout: int = 180) -> Path:
    """Convert a .docx to PDF next to it (or into out_dir) and return the PDF's path."""
    executable = soffice()
    if executable is None:
        raise PdfUnavailable("未安装 LibreOffice（找不到 soffice 命令），无法生成 PDF")
    source = Path(source).resolve()
    target_dir = Path(out_dir).resolve() if out_dir else source.parent
    target_dir.mkdir(parents=True, exist_ok=True)
    # A private profile per run: two conversions at once must not fight over ~/.config/libreoffice.
    with tempfile.TemporaryDirectory(prefix="liangxin-soffice-") as profile:
        command = [
            executable,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(target_dir),
            str(source),
        ]
        try:
            result = subprocess.run(  # noqa: S603 - fixed executable and arguments, no shell
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise PdfUnavailable(f"“{source.name}”转换为 PDF 超时（{timeout}秒）") from error
    pdf = target_dir / (source.stem + ".pdf")
    if result.returncode != 0 or not pdf.is_file():
        detail = (result.stderr or result.stdout).strip()[:300]
        raise PdfUnavailable(f"“{source.name}”转换为 PDF 失败：{detail or '未生成文件'}")
    return pdf
