import json

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.import_progress import TerminalBar
from liangxin.coverage import engine
from liangxin.coverage.management.commands._common import parse_as_of, parse_region
from liangxin.registry.models import Organization


class Command(BaseCommand):
    help = "“两个覆盖”统计：按区划（默认各县市区）、行业、类别或标签列出组织覆盖率、单独组建率、工作覆盖率和应建未建数。"

    def add_arguments(self, parser):
        parser.add_argument("--region", metavar="CODE", help="区划代码，默认全市；按区划分组时列出其下一级")
        parser.add_argument(
            "--by",
            default="region",
            choices=engine.BY_CHOICES,
            help="分组：region（下一级区划，默认）、county、township、area、industry、kind、tag",
        )
        parser.add_argument("--scope", default="all", help="统计范围：all（默认）、三有、规上 或 tag:标签名")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计截止日期，默认今天")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        as_of = parse_as_of(opts["as_of"])
        region = parse_region(opts["region"])
        try:
            # In a terminal: a bar of the counting steps (none under --json, into a file or a pipe)
            with TerminalBar.for_command(self, opts, unit="步") as terminal:
                table = engine.coverage(
                    Organization.objects.all(),
                    as_of=as_of,
                    scope=opts["scope"],
                    by=opts["by"],
                    region=region,
                    progress=terminal,
                )
        except engine.CoverageError as exc:
            raise CommandError(exc.message) from None
        if opts["json"]:
            self.stdout.write(json.dumps(table.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{region.name}“两个覆盖”情况（截至 {as_of:%Y-%m-%d}，范围：{engine.scope_label(table.scope)}）"
        )
        header = [
            "名称",
            "在册",
            "单独组建",
            "联合组建",
            "工作覆盖",
            "未覆盖",
            "组织覆盖率",
            "单独组建率",
            "工作覆盖率",
            "应建未建",
        ]
        self.stdout.write("\t".join(header))
        for row in [*table.rows, table.total]:
            self.stdout.write(
                "\t".join(
                    str(v)
                    for v in (
                        row.name,
                        row.total,
                        row.single,
                        row.joint,
                        row.work,
                        row.none,
                        f"{row.pct(row.single + row.joint)}%",
                        f"{row.pct(row.single)}%",
                        f"{row.pct(row.single + row.joint + row.work)}%",
                        row.should_build,
                    )
                )
            )
