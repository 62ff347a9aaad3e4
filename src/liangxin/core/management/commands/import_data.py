import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.exporting import write_rejected_rows
from liangxin.core.import_progress import TerminalBar, estimate_rows
from liangxin.core.importing import ImportContext, ImportFailed, run_import


class Command(BaseCommand):
    help = "导入 Excel/CSV 文件（.xlsx .xls .ods .csv）：按表头识别每个工作表，校验每一行，写入有效行。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告将会发生的变化，不写入")
        parser.add_argument("--strict", action="store_true", help="有任何一行被拒绝时整个文件都不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument(
            "--errors",
            metavar="FILE",
            help="把被拒绝的行（带“错误原因”列）和带警告的行（带“警告”列）写入该 .xlsx 文件",
        )
        parser.add_argument("--period", metavar="YYYY-MM", help="填报记录所属的调度期（补录历史月份时使用）")
        parser.add_argument(
            "--year",
            type=int,
            metavar="YYYY",
            help="重点任务清单所属年度（没有“年度”列、标题行和文件名也没有写明年份时使用）",
        )
        parser.add_argument("--user", metavar="USERNAME", help="以该用户的身份导入（记入审计日志）")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        actor = None
        if opts["user"]:
            from liangxin.accounts.models import User

            actor = User.objects.filter(username=opts["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"用户“{opts['user']}”不存在或已停用")
        ctx = ImportContext(
            actor=actor,
            filename=path.name,
            source="command",
            dry_run=opts["dry_run"],
            strict=opts["strict"],
            options={k: opts[k] for k in ("period", "year") if opts.get(k)},
        )
        terminal = TerminalBar.for_command(self, opts, about=True)
        if terminal.enabled:
            ctx.rows_total = estimate_rows(path, path.name)
            ctx.progress = lambda rows: terminal(rows, ctx.rows_total)  # a workbook's total comes on opening
        try:
            with terminal:
                report = run_import(path, ctx)
        except ImportFailed as exc:
            raise CommandError(exc.message) from None
        if opts["errors"]:
            if not write_rejected_rows(opts["errors"], report):
                self.stderr.write("没有被拒绝或带警告的行，未生成错误文件。")
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
            return
        mode = "（试运行，未写入）" if opts["dry_run"] else ""
        for sheet in report.sheets:
            self.stdout.write(
                f"工作表“{sheet.sheet}”识别为{sheet.label}{mode}：新增 {sheet.created}，更新 {sheet.updated}，"
                f"未变化 {sheet.unchanged}，拒绝 {sheet.rejected}"
            )
            for problem in sheet.errors[:200]:
                self.stdout.write(f"  {problem}")
            if len(sheet.errors) > 200:
                more = len(sheet.errors) - 200
                self.stdout.write(f"  …… 另有 {more} 条问题，请用 --errors 导出全部")
            if sheet.warnings:
                self.stdout.write(f"  警告 {len(sheet.warnings)} 条（相应行已导入）：")
            for warning in sheet.warnings[:200]:
                self.stdout.write(f"  警告：{warning}")
            if len(sheet.warnings) > 200:
                more = len(sheet.warnings) - 200
                self.stdout.write(f"  …… 另有 {more} 条警告，请用 --errors 导出全部")
        for name in report.skipped_sheets:
            self.stdout.write(f"工作表“{name}”未识别（没有找到可导入的表头），已跳过")
        if opts["strict"] and report.rejected:
            self.stdout.write(self.style.WARNING(f"严格模式：有 {report.rejected} 行被拒绝，整个文件未写入"))
