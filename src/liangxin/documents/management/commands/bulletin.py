import dataclasses
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.core.import_progress import TerminalBar
from liangxin.dispatch.periods import default_as_of
from liangxin.documents import publishing
from liangxin.documents.docx import TemplateProblem
from liangxin.documents.pdf import PdfUnavailable, convert_to_pdf
from liangxin.documents.services import BulletinProblem, write_bulletin_files


def _date(value: str | None, name: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{name}“{value}”格式不对，应为 YYYY-MM-DD，例如 2022-05-31") from None


def _period(value: str) -> datetime.date:
    try:
        year, month = value.strip().split("-")
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"调度期“{value}”格式不对，应为 YYYY-MM，例如 2022-05") from None


class Command(BaseCommand):
    help = "生成某调度期的通报（公文格式 .docx），可同时生成 Excel 工作簿和 PDF。"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, metavar="YYYY-MM", help="调度期，例如 2022-05")
        parser.add_argument(
            "--as-of", metavar="YYYY-MM-DD", help="数据截至日期（默认今天；已过去的月份默认为该月最后一天）"
        )
        parser.add_argument("--out", required=True, metavar="FILE.docx", help="通报 Word 文件")
        parser.add_argument("--xlsx", metavar="FILE.xlsx", help="同时生成通报各表的 Excel 工作簿")
        parser.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 转换为 PDF（需已安装）")
        parser.add_argument("--issuer", help="署名（默认“中共××市委党建工作领导小组办公室”）")
        parser.add_argument("--issue-date", metavar="YYYY-MM-DD", help="成文日期（默认今天）")
        parser.add_argument(
            "--requirements",
            metavar="FILE.txt",
            help="“下步要求”文本文件，每段一行（默认用办公室在页面上保存的该期草稿）",
        )
        parser.add_argument(
            "--publish", action="store_true", help="发布该期通报（存档数据和文件，此后不再变化）"
        )
        parser.add_argument("--user", metavar="USERNAME", help="以该用户的身份生成（记入审计日志）")

    def handle(self, *args, **opts):
        period = _period(opts["period"])
        today = timezone.localdate()
        as_of = _date(opts["as_of"], "截至日期") or default_as_of(period, today)
        issue_date = _date(opts["issue_date"], "成文日期") or today
        actor = None
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户“{opts['user']}”不存在或已停用")
        requirements = None
        if opts["requirements"]:
            try:
                text = Path(opts["requirements"]).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"“下步要求”文件“{opts['requirements']}”无法读取：{error}") from None
            requirements = [line.strip() for line in text.splitlines() if line.strip()]
        if opts["publish"]:
            self._publish(period, as_of, issue_date, actor, requirements, opts)
            return
        if publishing.published(period) is not None:
            self._published(period, as_of, issue_date, actor, opts)
            return
        # In a terminal: a bar of the two steps (the figures, then the files), so a long
        # generation shows it is working.
        with TerminalBar.for_command(self, total=2, unit="步") as terminal:
            terminal(0)
            try:
                # 版头, 主送, 署名, 版记: the office's choices saved on the period's page
                letterhead = publishing.letterhead_for(period, issue_date=issue_date, issuer=opts["issuer"])
                if opts["issue_date"]:  # asked for on the command line: it wins over the saved 成文日期
                    letterhead = dataclasses.replace(letterhead, signed_on=issue_date)
                data = publishing.build(
                    period=period,
                    as_of=as_of,
                    issue_date=issue_date,
                    letterhead=letterhead,
                    requirements="\n".join(requirements) if requirements is not None else None,
                )
                terminal(1)
                write_bulletin_files(
                    data,
                    actor=actor,
                    docx_target=opts["out"],
                    xlsx_target=opts["xlsx"],
                    letterhead=letterhead,
                )
            except (BulletinProblem, TemplateProblem) as error:
                raise CommandError(str(error)) from None
            except OSError as error:
                raise CommandError(
                    f"无法写入文件“{error.filename or opts['out']}”：{error.strerror or error}"
                ) from None
        self.stdout.write(f"已生成《{data.title}》：{opts['out']}")
        if opts["xlsx"]:
            self.stdout.write(f"已生成工作簿：{opts['xlsx']}")
        self._pdf(opts)

    def _pdf(self, opts):
        if opts["pdf"]:
            try:
                pdf = convert_to_pdf(opts["out"])
            except PdfUnavailable as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"已生成 PDF：{pdf}")

    def _write(self, docx: bytes, xlsx: bytes, opts):
        try:
            Path(opts["out"]).write_bytes(docx)
            if opts["xlsx"]:
                Path(opts["xlsx"]).write_bytes(xlsx)
        except OSError as error:
            raise CommandError(
                f"无法写入文件“{error.filename or opts['out']}”：{error.strerror or error}"
            ) from None

    def _published(self, period, as_of, issue_date, actor, opts):
        """A published period gives its stored files: the same document whatever changed since."""
        stored = publishing.published(period)
        docx, xlsx = publishing.generate(period=period, as_of=as_of, issue_date=issue_date, actor=actor)
        self._write(docx, xlsx, opts)
        self.stdout.write(
            f"{period.year}年{period.month}月通报已于{timezone.localtime(stored.published_at):%Y-%m-%d}发布"
            f"（数据截至{stored.as_of:%Y-%m-%d}），输出的是发布时存档的文件：{opts['out']}"
        )
        if opts["xlsx"]:
            self.stdout.write(f"已输出存档的工作簿：{opts['xlsx']}")
        self._pdf(opts)

    def _publish(self, period, as_of, issue_date, actor, requirements, opts):
        try:
            bulletin = publishing.publish(
                period=period,
                as_of=as_of,
                issue_date=issue_date,
                actor=actor,
                requirements="\n".join(requirements) if requirements else None,
            )
        except (BulletinProblem, TemplateProblem) as error:
            raise CommandError(str(error)) from None
        self._write(bytes(bulletin.docx), bytes(bulletin.xlsx), opts)
        self.stdout.write(f"已发布 {bulletin.period} 通报（sha256 {bulletin.sha256}）：{opts['out']}")
