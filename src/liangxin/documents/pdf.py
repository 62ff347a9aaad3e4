"""Optional PDF of a 公文 (the bulletin, the 年度考核), through LibreOffice when it is installed (`soffice` on PATH).

A server has none of the 公文 fonts (仿宋_GB2312, 楷体_GB2312, 黑体, 方正小标宋简体, 宋体), and
LibreOffice would set every one in the same sans-serif face. The conversion runs with
fonts/fonts.conf (FONTCONFIG_FILE), which maps each to a distinct free face from Debian:
仿宋 → AR PL UMing CN, 楷体 → AR PL UKai CN, 黑体 → Noto Sans CJK SC, 小标宋 → Noto Serif CJK SC
Bold, 宋体 → Noto Serif CJK SC. `make office` installs them: `apt-get install -y
libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FONTS_CONF = Path(__file__).with_name("fonts") / "fonts.conf"
# The free faces fonts.conf maps the 公文 fonts to, by the font name in the PDF.
SUBSTITUTES = {
    "仿宋": "UMingCN",
    "楷体": "UKaiCN",
    "黑体": "NotoSansCJK",
    "小标宋": "NotoSerifCJK.*-Bold",
}


def font_environment() -> dict[str, str]:
    """The environment of a conversion: this package's fontconfig mapping, the system's after it."""
    return {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}


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
                command, capture_output=True, text=True, timeout=timeout, check=False, env=font_environment()
            )
        except subprocess.TimeoutExpired as error:
            raise PdfUnavailable(f"“{source.name}”转换为 PDF 超时（{timeout}秒）") from error
    pdf = target_dir / (source.stem + ".pdf")
    if result.returncode != 0 or not pdf.is_file():
        detail = (result.stderr or result.stdout).strip()[:300]
        raise PdfUnavailable(f"“{source.name}”转换为 PDF 失败：{detail or '未生成文件'}")
    return pdf


def pdf_bytes(content: bytes, name: str, *, timeout: int = 180) -> bytes:
    """A .docx given as bytes, converted by `convert_to_pdf` in a private folder: the PDF's bytes
    (`name`: the file's stem, which the error messages name)."""
    with tempfile.TemporaryDirectory(prefix="liangxin-pdf-") as folder:
        source = Path(folder) / f"{name}.docx"
        source.write_bytes(content)
        return convert_to_pdf(source, timeout=timeout).read_bytes()
