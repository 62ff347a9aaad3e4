"""Demo data: the 2022 plan from the speech (its five lines of work and concrete items) and
reports for January–May 2022 with a realistic, deterministic mix: on time, late, returned and
resubmitted, lagging, done, missing and drafts. Safe to run again (skips when the plan exists)."""

from __future__ import annotations

import datetime
import zlib

from django.db import transaction
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.core.roles import Role
from liangxin.dispatch import plans, reports
from liangxin.dispatch.models import Category, Plan, ProgressStatus
from liangxin.dispatch.periods import open_period
from liangxin.dispatch.units import UnitNames

YEAR = 2022
C = Category
# 阶段目标 of some tasks, as the office writes them.
MILESTONES = {
    "3": "3月底前完成市场主体登记数据比对；5月底前完成各县（市、区）核查",
    "5": "2月底前制定排查方案；3月底前完成首轮排查",
    "6": "3月底前完成调研摸底；5月底前报批组建方案",
}
# (code, category, title, requirement, lead, responsible units, deadline as written)
TASKS = [
    (
        "1",
        C.POLITICAL,
        "学习宣传贯彻党的二十大精神",
        "分级抓好理论宣讲和教育培训，推动党的创新理论进园区、进楼宇、进市场、进车间",
        "工商联",
        "市场监管局、民政局",
        "长期",
    ),
    (
        "2",
        C.POLITICAL,
        "探索新业态新就业群体线上线下党员教育形式",
        "创新党组织活动内容和方式，适应新业态、新就业群体特点",
        "网信办",
        "邮政管理局、交通运输局",
        "12月底前",
    ),
    (
        "3",
        C.COVERAGE,
        "摸清全市“两新”组织底数",
        "各单位进一步摸清全市“两新”组织底数，“两新”工委做好跟进落实",
        "市场监管局",
        "民政局、各县（市、区）委组织部",
        "6月底前",
    ),
    (
        "4",
        C.COVERAGE,
        "落实“三同步”，从注册登记源头加强党组织组建",
        "各成员单位发挥准入把关作用，严密织牢覆盖网络",
        "市场监管局",
        "民政局",
        "长期",
    ),
    (
        "5",
        C.COVERAGE,
        "常态化排查联合党支部运转情况",
        "4月底前完成首轮排查，着力消除“两个覆盖”盲区、死角，持续提高党组织组建率",
        "民政局",
        "工商联、司法局",
        "4月底前",
    ),
    (
        "6",
        C.THREE,
        "成立物流行业党委",
        "市交通局要成立物流行业党委（全省基层党建工作重点任务推进会部署）",
        "市交通局",
        "邮政管理局",
        "6月底前",
    ),
    (
        "7",
        C.THREE,
        "把党的工作做到快递员、外卖配送员、网约车司机、货车司机等新就业群体中",
        "不断增强党组织在新兴领域的影响力、号召力、凝聚力",
        "邮政管理局",
        "交通运输局、商务局",
        "12月底",
    ),
    (
        "8",
        C.THREE,
        "加强行业协会商会、律师、注册会计师、税务师和资产评估师等重点行业党建",
        "抓好分管领域行业（综合）党委管理，发挥实效",
        "民政局",
        "司法局、财政局、税务局",
        "10月底前",
    ),
    (
        "9",
        C.THREE,
        "加强规上民营企业、产业链头部企业、科技领航企业、“小巨人”企业、“5020”项目党建",
        "及时有效把党的工作做深做实",
        "工信局",
        "科技局、工商联",
        "长期",
    ),
    (
        "10",
        C.INTEGRATION,
        "组织开展“五融入五提升”活动",
        "融入治理结构、营商环境、生产经营、职工需求、意识形态工作",
        "工商联",
        "工信局、商务局",
        "11月底前",
    ),
    (
        "11",
        C.INTEGRATION,
        "推动大型非公企业和重点社会组织与乡村振兴重点帮扶村结对共建",
        "充分利用“两新”组织资本、管理、技术、人才、市场等优势助力乡村振兴",
        "工商联",
        "民政局",
        "12月底",
    ),
    (
        "12",
        C.INTEGRATION,
        "发挥快递物流从业者“流动哨兵”“移动探头”作用",
        "引导党员立足岗位提供优质服务，参与城市基层治理",
        "邮政管理局",
        "交通运输局",
        "长期",
    ),
    (
        "13",
        C.BRAND,
        "明确“两新”组织党建品牌",
        "按照“一域一品、一企一品”思路，6月底前各成员单位对正在打造或计划年度内打造完成的党建品牌进行明确，报送“两新”工委",
        "工商联",
        "各成员单位",
        "6月底前",
    ),
    (
        "14",
        C.BRAND,
        "推进“两新”组织党建示范点建设",
        "各成员单位抓好指导，积极培树各自领域内的示范典型",
        "市场监管局",
        "民政局",
        "12月底",
    ),
]

# Pairs whose pace is set by hand so the demo shows a missed deadline (red) and a clear laggard.
PACE = {("5", "司法局"): -40, ("7", "交通运输局"): -30}
PROGRESS = [
    "已召开专题会议部署",
    "已完成摸底调查",
    "已制定工作方案",
    "已开展专项培训",
    "已走访重点企业",
    "已形成阶段性成果",
]
PROBLEMS = ["", "", "基层力量薄弱", "部分企业配合度不高", "数据口径需进一步统一"]


def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _roll(*parts) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode()) % 100


def _percent(task, month: int, offset: int) -> int:
    end = task.deadline or datetime.date(YEAR, 12, 31)
    day = datetime.date(YEAR, month, 28)
    share = min(max((day - task.start).days / max((end - task.start).days, 1), 0), 1)
    return max(0, min(100, round(share * 100 + offset)))


@transaction.atomic
def load(city, out) -> None:
    if Plan.objects.filter(year=YEAR).exists():
        out.write("月调度演示数据：2022 年重点任务清单已存在，跳过")
        return
    actor = User.objects.filter(role=Role.OFFICE).order_by("pk").first()
    plan = plans.get_or_create_plan(YEAR, actor=actor, source="command")
    plan.title = "2022年全市基层党建（“两新”组织）重点任务清单"
    plan.save(update_fields=["title"])
    names = UnitNames()
    tasks = []
    for code, category, title, requirement, lead, units, deadline in TASKS:
        milestones = MILESTONES.get(code, "")
        lead_unit = names.one(lead)
        data = plans.TaskData(
            code=code,
            category=category,
            title=title,
            requirement=requirement,
            lead=lead_unit,
            units=[u for u in names.many(units) if u.pk != lead_unit.pk],
            start=datetime.date(YEAR, 1, 1),
            deadline=plans.parse_deadline(deadline, year=YEAR),
            deadline_text=deadline,
            milestones=milestones,
        )
        tasks.append(plans.save_task(plan, data, actor=actor, source="command")[0])
    done_pairs: set[tuple[int, int]] = set()
    created = 0
    for month in range(1, 6):
        period, _ = open_period(datetime.date(YEAR, month, 1), actor=actor, source="command")
        for task in tasks:
            for a in task.assignments.select_related("unit").order_by("-is_lead", "unit__sort"):
                if (task.pk, a.unit_id) in done_pairs:
                    continue
                created += _report(task, a.unit, period, month, actor, done_pairs)
    out.write(f"月调度演示数据：2022 年重点任务 {len(tasks)} 项，1–5 月进展报告 {created} 份")


def _report(task, unit, period, month: int, actor, done_pairs) -> int:
    roll = _roll(task.code, unit.name, month)
    pair_pace = PACE.get(
        (task.code, unit.name), _roll(task.code, unit.name) % 45 - 18
    )  # −18 … +26 points against the time share
    if roll >= 88:  # 12 %: nothing reported
        return 0
    percent = _percent(task, month, pair_pace)
    status = ProgressStatus.ON_TRACK
    if percent >= 100 or (task.deadline and percent >= 95 and month >= 5):
        status, percent = ProgressStatus.DONE, 100
    elif month == 1 and percent < 5:
        status = ProgressStatus.NOT_STARTED
    elif pair_pace < -12:
        status = ProgressStatus.LAGGING
    data = {
        "status": status,
        "percent": percent,
        "progress": f"{month}月，{unit.name}围绕“{task.title[:16]}”{PROGRESS[roll % len(PROGRESS)]}。",
        "problems": PROBLEMS[roll % len(PROBLEMS)],
        "next_steps": "按计划继续推进，确保按时完成"
        if status != ProgressStatus.DONE
        else "巩固成果，总结经验",
    }
    kwargs = {
        "actor": None,
        "task": task,
        "unit": unit,
        "period": period,
        "source": "command",
        "check_lock": False,
    }
    if roll >= 82:  # 6 %: a draft left unsent
        reports.save_report(data=data, submit=False, at=_moment(datetime.date(YEAR, month, 18)), **kwargs)
        return 1
    day = 5 + roll % 20 if roll < 62 else 26 + roll % 3  # 62 % on time, 12 % late (26th–28th)
    report = reports.save_report(
        data=data, submit=True, at=_moment(datetime.date(YEAR, month, day)), **kwargs
    )
    if 74 <= roll < 82:  # 8 %: returned; resubmitted on time except in May
        comment = "请补充具体数据和佐证材料"
        reports.return_report(
            report, actor=actor, comment=comment, at=_moment(datetime.date(YEAR, month, day), 16)
        )
        if month == 5:
            return 1
        data["progress"] += "（已按退回意见补充数据）"
        report = reports.save_report(
            data=data, submit=True, at=_moment(datetime.date(YEAR, month, min(day + 2, 28))), **kwargs
        )
    if month < 5 or roll % 3 == 0:  # May is still being reviewed
        reports.accept_report(
            report, actor=actor, at=_moment(datetime.date(YEAR, month, 28), 9), source="command"
        )
        if report.status == ProgressStatus.DONE:
            done_pairs.add((task.pk, unit.pk))
    return 1
