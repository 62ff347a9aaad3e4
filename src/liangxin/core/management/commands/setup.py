from django.core.management.base import BaseCommand, CommandError

from liangxin.core.services import SetupError, setup_installation


class Command(BaseCommand):
    requires_system_checks: list[str] = []

    help = (
        "为本市初始化：载入行政区划（至村、社区）、国民经济行业分类和默认的“两新”工委成员单位。可重复运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--city", required=True, help="地级市行政区划代码，例如吉安市为 360800")

    def handle(self, *args, city, **options):
        try:
            region, report = setup_installation(city, source="command")
        except SetupError as exc:
            raise CommandError(str(exc)) from None
        if not report.changed:
            self.stdout.write(f"{region.name}（{region.code}）已安装，本次没有变化。")
            return
        for kind in report.created:
            self.stdout.write(f"{kind}：新增 {report.created[kind]}，更新 {report.updated.get(kind, 0)}")
        counties = region.children.count()
        self.stdout.write(
            self.style.SUCCESS(f"已为{region.name}（{region.code}）完成初始化：{counties} 个县（市、区）。")
        )
