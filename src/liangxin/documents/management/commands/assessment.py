import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.core.import_progress import TerminalBar
from liangxin.documents import assessment, assessment_docx
from liangxin.documents.pdf import PdfUnavailable, convert_to_pdf


class Command(BaseCommand):
    help = "年度考核：各成员单位和县（市、区）的月度平均分、按期完成、领域覆盖率提升、得分和名次。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度，例如 2022")
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="考核截止日期（默认今天，最晚为当年 12 月 31 日）"
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--xlsx", metavar="FILE.xlsx", help="同时写出考核表 Excel 文件")
        parser.add_argument("--docx", metavar="FILE.docx", help="同时写出考核结果通报（公文，Word）")
        parser.add_argument(
            "--pdf", action="store_true", help="同时用 LibreOffice 把 --docx 的公文转换为 PDF（需已安装）"
        )

    def handle(self, *args, **opts):
        year = opts["year"]
        try:
            as_of = datetime.date.fromisoformat(opts["as_of"]) if opts["as_of"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"截止日期“{opts['as_of']}”格式不对，应为 YYYY-MM-DD") from None
        as_of = min(as_of, datetime.date(year, 12, 31))
        if opts["pdf"] and not opts["docx"]:
            raise CommandError("--pdf 需要同时给出 --docx 文件名（PDF 写在它旁边）")
        # In a terminal: a bar of the months, then the units (none under --json, into a file or a pipe)
        with TerminalBar.for_command(self, opts, unit="步") as terminal:
            entries = assessment.assess(year, as_of, progress=terminal)
        if not entries:
            raise CommandError(f"{year}年没有已确认的重点任务清单或调度数据，无法考核")
        if opts["xlsx"]:
            try:
                assessment.write_workbook(opts["xlsx"], year, entries)
            except OSError as error:
                raise CommandError(f"无法写入文件“{opts['xlsx']}”：{error.strerror or error}") from None
        if opts["docx"]:
            self._document(year, as_of, entries, opts)
        if opts["json"]:
            data = {"year": year, "as_of": as_of.isoformat(), "units": [e.as_dict() for e in entries]}
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"{year}年度考核（截至 {as_of}）")
        for row in assessment.table_rows(entries):
            self.stdout.write("  ".join("" if v is None else str(v) for v in row))
        self.stdout.write(assessment.method_text())

    def _document(self, year, as_of, entries, opts):
        content = assessment_docx.render(year, as_of, entries, issued_on=timezone.localdate())
        try:
            Path(opts["docx"]).write_bytes(content)
        except OSError as error:
            raise CommandError(f"无法写入文件“{opts['docx']}”：{error.strerror or error}") from None
        if opts["pdf"]:
            try:
                pdf = convert_to_pdf(opts["docx"])
            except PdfUnavailable as error:
                raise CommandError(str(error)) from None
            if not opts["json"]:
                self.stderr.write(f"已生成 PDF：{pdf}")
