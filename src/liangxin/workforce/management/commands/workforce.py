import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from liangxin.core.tabular import ValueProblem, parse_date
from liangxin.workforce import figures


class Command(BaseCommand):
    help = "新就业群体：各群体的平台/企业、站点、从业人数、党员、有党组织或指导员的站点、驿站（截至某日）"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计截至日期（默认今天）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        try:
            as_of = parse_date(opts["as_of"]) if opts["as_of"] else timezone.localdate()
        except ValueProblem as exc:
            raise CommandError(f"--as-of：{exc.message}") from None
        data = figures.workforce(None, as_of, everything=True)
        if opts["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(f"新就业群体（截至{as_of:%Y年%m月%d日}）")
        self.stdout.write("群体\t平台/企业\t站点\t从业人数\t党员\t有党组织或指导员的站点\t驿站")
        for g in [*data["groups"], data["total"]]:
            self.stdout.write("\t".join(str(g[k]) for k in ("type", *figures.FIELDS)))
