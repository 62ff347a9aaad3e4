from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.exporting import csv_lines, write_xlsx
from liangxin.core.import_progress import TerminalBar
from liangxin.core.models import Region
from liangxin.registry import queries
from liangxin.registry.models import Organization


class Command(BaseCommand):
    help = "导出两新组织台账到 .xlsx 或 .csv（与导入模板同列，可修改后再导入）。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=["organizations"], help="要导出的数据")
        parser.add_argument("file", help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--region", help="只导出该区划（县或乡镇代码）内的组织")
        parser.add_argument("--status", help="登记状态，如 active")
        parser.add_argument("--tag", help="重点标签")

    def handle(self, *args, dataset, file, region, status, tag, **options):
        path = Path(file)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError("输出文件的扩展名应为 .xlsx 或 .csv")
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"区划代码“{region}”不存在")
        params = {k: v for k, v in {"region": region, "status": status, "tag": tag}.items() if v}
        organizations, _ = queries.apply_filters(Organization.objects.all(), params)
        count = organizations.count()
        with TerminalBar.for_command(self, total=count) as terminal:
            rows = terminal.counting(queries.export_rows(organizations, viewer=None))
            if path.suffix.lower() == ".csv":
                with path.open("w", encoding="utf-8", newline="") as fh:
                    for line in csv_lines(queries.EXPORT_HEADERS, rows):
                        fh.write(line)
            else:
                write_xlsx(str(path), [("两新组织", queries.EXPORT_HEADERS, rows)])
        self.stdout.write(f"已导出 {count} 个组织到 {path}")
