import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from liangxin.core.models import MemberUnit
from liangxin.notify.channels import MOBILE, channels_on, robot_payload_text, sms_payload_text
from liangxin.notify.models import Channel
from liangxin.notify.robots import robot_for
from liangxin.notify.sending import send

TEXT = "两新组织党建工作调度平台测试消息：收到即表示推送配置正确。"


class Command(BaseCommand):
    help = "发送一条测试消息，检查政务微信群机器人和短信网关的配置（不写推送记录，不重试）。"

    def add_arguments(self, parser):
        parser.add_argument("--mobile", help="同时向这个手机号发送一条测试短信")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument(
            "--unit",
            metavar="单位名称",
            help="检查发给该成员单位的群机器人（其自己的，否则其区划的或全市的）",
        )

    def handle(self, *args, **opts):
        mobile = (opts["mobile"] or "").strip()
        if mobile and not MOBILE.match(mobile):
            raise CommandError(f"手机号“{mobile}”不是 11 位手机号码")
        on = channels_on()
        if not on:
            raise CommandError("未配置推送渠道：请设置 LIANGXIN_NOTIFY_ROBOT_URL 或 LIANGXIN_NOTIFY_SMS_URL")
        results = []
        notes = []
        if Channel.ROBOT in on:
            if opts["unit"]:
                unit = MemberUnit.objects.filter(name=opts["unit"].strip()).first()
                if unit is None:
                    raise CommandError(f"没有名为“{opts['unit']}”的成员单位")
                target = robot_for(unit)
                notes.append(f"{unit.name}的提醒发往：{target.group or '无（未配置群机器人）'}")
                results.append((Channel.ROBOT, *send(Channel.ROBOT, robot_payload_text(TEXT), target.url)))
            elif settings.LIANGXIN_NOTIFY_ROBOT_URL:
                results.append((Channel.ROBOT, *send(Channel.ROBOT, robot_payload_text(TEXT))))
            else:
                notes.append("全市群机器人：未设置（各单位的群机器人用 --unit 单位名称 检查）")
        if Channel.SMS in on and mobile:
            results.append((Channel.SMS, *send(Channel.SMS, sms_payload_text(TEXT, mobile))))
        failed = [r for r in results if r[2] or r[1] is None or not 200 <= r[1] < 300]
        if opts["json"]:
            rows = [{"channel": c, "status": code, "error": error} for c, code, error in results]
            self.stdout.write(json.dumps({"results": rows, "notes": notes}, ensure_ascii=False))
        else:
            for note in notes:
                self.stdout.write(note)
            for channel, code, error in results:
                self.stdout.write(
                    f"{Channel(channel).label}：{'发送成功' if not error else error}（{code or '无响应'}）"
                )
            if Channel.SMS in on and not mobile:
                self.stdout.write("短信：未发送（用 --mobile 指定接收测试短信的手机号）")
        if failed:
            raise CommandError("测试消息发送失败，请检查地址、密钥和网络")
