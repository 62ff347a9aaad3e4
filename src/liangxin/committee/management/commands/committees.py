import json

from django.core.management.base import BaseCommand

from liangxin.committee import figures
from liangxin.coverage.management.commands._common import parse_as_of


class Command(BaseCommand):
    help = "行业（综合）党委：所联系领域的覆盖率（现在与一年前）、下属党组织与排查、牵头任务亮灯、活动和作用评定；以及应成立未成立的成员单位。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="统计截止日期，默认今天")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        as_of = parse_as_of(opts["as_of"])
        found = figures.compute_all(as_of)
        missing = figures.missing(as_of)
        if opts["json"]:
            data = {"committees": [f.as_dict() for f in found], "missing": [m.as_dict() for m in missing]}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"行业（综合）党委（截至 {as_of:%Y-%m-%d}）")
        self.stdout.write(
            "\t".join(
                [
                    "名称",
                    "所属成员单位",
                    "组织数",
                    "组织覆盖率",
                    "一年前",
                    "工作覆盖率",
                    "下属党组织",
                    "排查",
                    "差",
                    "活动",
                    "评定",
                ]
            )
        )
        for f in found:
            d = f.as_dict()
            self.stdout.write(
                "\t".join(
                    str(v)
                    for v in (
                        d["name"],
                        d["owner_unit"],
                        d["organizations"],
                        f"{f.now.pct(f.now.covered)}%",
                        f"{f.before.pct(f.before.covered)}%",
                        f"{f.now.pct(f.now.covered + f.now.work)}%",
                        d["party_orgs"],
                        d["inspections"],
                        d["poor_inspections"],
                        d["activities"],
                        d["verdict"],
                    )
                )
            )
        self.stdout.write(f"应成立未成立：{len(missing)} 个成员单位")
        for m in missing:
            self.stdout.write(
                f"\t{m.unit.name}\t行业 {'、'.join(m.industries) or '—'}\t标签 {'、'.join(m.tags) or '—'}"
            )
