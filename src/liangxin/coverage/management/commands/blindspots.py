import json

from django.core.management.base import BaseCommand

from liangxin.core.models import RegionLevel
from liangxin.coverage import blindspots
from liangxin.coverage.management.commands._common import parse_as_of, parse_region
from liangxin.coverage.models import Instructor, PartyOrganization
from liangxin.registry.models import Organization


class Command(BaseCommand):
    help = "“两个覆盖”盲区：应建未建、未覆盖、规上未单独建立党组织的组织，超负荷指导员，超规模联合党支部。"

    def add_arguments(self, parser):
        parser.add_argument("--region", metavar="CODE", help="区划代码，默认全市")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="截止日期，默认今天")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        as_of = parse_as_of(opts["as_of"])
        region = parse_region(opts["region"])
        in_region = {} if region.level == RegionLevel.PROVINCE else {f"{region.level}_code": region.code}
        result = blindspots.as_json(
            Organization.objects.filter(**in_region),
            Instructor.objects.filter(**in_region),
            PartyOrganization.objects.filter(**in_region),
            as_of=as_of,
        )
        if opts["json"]:
            payload = {"as_of": as_of.isoformat(), "region": region.code, **result}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{region.name}“两个覆盖”盲区（截至 {as_of:%Y-%m-%d}）")
        for kind, label in blindspots.LISTS.items():
            self.stdout.write(f"\n{label}：{len(result[kind])} 个")
            for item in result[kind][:50]:
                self.stdout.write("  " + "  ".join(str(v) for v in item.values()))
            if len(result[kind]) > 50:
                self.stdout.write(f"  ……（另有 {len(result[kind]) - 50} 个，请用 --json 查看全部）")
