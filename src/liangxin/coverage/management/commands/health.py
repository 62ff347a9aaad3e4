import json

from django.core.management.base import BaseCommand, CommandError

from liangxin.core.models import RegionLevel
from liangxin.core.rates import format_percent
from liangxin.coverage import effective, health
from liangxin.coverage.management.commands._common import parse_as_of, parse_region
from liangxin.coverage.models import Formation, Instructor, PartyOrganization
from liangxin.registry.models import Organization


class Command(BaseCommand):
    help = "党组织健康清单（各种组建方式）：排查评定为差、未开展“三会一课”、超期未排查、超期未换届、整改逾期等提示。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="截止日期，默认今天")
        parser.add_argument("--region", metavar="CODE", help="区划代码，默认全市")
        parser.add_argument("--user", metavar="USERNAME", help="只看该用户管辖范围内的（与页面相同）")
        parser.add_argument(
            "--formation",
            default="",
            help="只看该组建方式：single 单独组建、joint 联合组建、industry 行业党委",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **opts):
        as_of = parse_as_of(opts["as_of"])
        if opts["formation"] and opts["formation"] not in Formation.values:
            choices = "、".join(f"{value}（{label}）" for value, label in Formation.choices)
            raise CommandError(f"组建方式“{opts['formation']}”不对，应为 {choices}")
        region = parse_region(opts["region"])
        party_orgs = PartyOrganization.objects.all()
        orgs, instructors = Organization.objects.all(), Instructor.objects.all()
        if opts["user"]:
            from liangxin.accounts.models import User

            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户“{opts['user']}”不存在或已停用")
            party_orgs = PartyOrganization.objects.restrict(user)
            orgs, instructors = Organization.objects.restrict(user), Instructor.objects.restrict(user)
        if region.level != RegionLevel.PROVINCE:
            in_region = {f"{region.level}_code": region.code}
            party_orgs, orgs = party_orgs.filter(**in_region), orgs.filter(**in_region)
            instructors = instructors.filter(**in_region)
        result = health.figures(party_orgs, orgs, instructors, as_of=as_of, formation=opts["formation"])
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        kind = Formation(opts["formation"]).label if opts["formation"] else ""
        self.stdout.write(f"{region.name}{kind}党组织健康清单（截至 {as_of:%Y-%m-%d}）")
        for code, n in result["flags"].items():
            self.stdout.write(f"  {health.BY_CODE[code].label}：{n} 个")
        self.stdout.write(f"\n有提示的党组织 {len(result['party_orgs'])} 个：")
        for item in result["party_orgs"][:50]:
            reasons = "；".join(f["reason"] for f in item["flags"])
            self.stdout.write(f"  {item['county']}  {item['name']}  {reasons}")
        if len(result["party_orgs"]) > 50:
            self.stdout.write(f"  ……（另有 {len(result['party_orgs']) - 50} 个，请用 --json 查看全部）")
        rate = result["effective_work_rate"]
        self.stdout.write(
            f"\n有效工作覆盖率 {format_percent(rate)}（官方口径工作覆盖率 {format_percent(result['work_rate'])}）；"
            f"近{effective.visit_period_days()}天无走访的党建指导员 {result['instructors_without_visits']} 名"
        )
