"""Demo committees, activities and a meeting (as of the demo's moment, 2022-05-31):

* 物流行业党委 (交通运输局), 快递行业党委 (邮政管理局), 律师行业党委 (司法局) and 社会组织综合党委
  (民政局), each with joint branches of its field under it and inspections, so that as of
  2022-05-31 the verdicts are 发挥作用明显, 一般, 一般 and 待加强 (see `verdict.py`);
* activities of 2022 (and one of 2021, not counted in 2022);
* the 2022 第一次全体会议 (18 March) whose decisions entering the dispatch are tasks from April,
  with reports in April and May, so the meeting page shows their lights.

The units 工信局, 商务局 … supervise industries without a committee: they are 应成立未成立.
Re-running adds nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from liangxin.accounts.models import User
from liangxin.committee import services
from liangxin.committee.models import Activity, ActivityKind, IndustryCommittee, Meeting, MeetingKind
from liangxin.core.models import Industry, MemberUnit, Region
from liangxin.core.roles import Role
from liangxin.coverage import engine
from liangxin.coverage.models import BranchInspection, Formation, PartyOrganization, Rating
from liangxin.dispatch import reports
from liangxin.dispatch.models import Period, ProgressStatus
from liangxin.registry.models import Organization

D = datetime.date
AS_OF = D(2022, 5, 31)

# name, owner, industries, tags, branches under it, 2022 inspections (ratings), 2022 activities
COMMITTEES = [
    ("物流行业党委", "交通运输局", ["53", "54", "55", "56", "57", "58"], ["货运"], 6,
     [Rating.GOOD, Rating.GOOD, Rating.FAIR, Rating.GOOD], 4),
    ("快递行业党委", "邮政管理局", ["60"], ["快递"], 4, [Rating.POOR, Rating.POOR, Rating.FAIR], 2),
    ("律师行业党委", "司法局", [], ["律师事务所"], 0, [], 3),
    ("社会组织综合党委", "民政局", [], ["行业协会商会"], 3, [], 0),
]  # fmt: skip

ACTIVITY_TITLES = {
    ActivityKind.STUDY: "学习贯彻党的二十大精神宣讲",
    ActivityKind.TRAINING: "党组织书记和党务工作者培训",
    ActivityKind.THEME_DAY: "“学党史、强信念”主题党日",
    ActivityKind.SERVICE: "“我为群众办实事”志愿服务",
}

DECISIONS = [
    ("6月底前建成物流行业党委并实体化运转", "交通运输局", ["邮政管理局"], "6月底前", True),
    ("建立快递员“流动哨兵”信息报送机制", "邮政管理局", ["交通运输局", "商务局"], "9月底前", True),
    ("各成员单位梳理行业党建品牌", "工商联", [], "长期", False),
]


def _moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _branches(committee: IndustryCommittee, count: int, taken: set[int]) -> list[PartyOrganization]:
    """Joint branches covering organizations of the committee's field, active on 2022-05-31."""
    from liangxin.committee.figures import committee_field_q

    field = Organization.objects.filter(committee_field_q(committee)).values("pk")
    found = (
        PartyOrganization.objects.filter(engine.party_org_active_q(AS_OF), formation=Formation.JOINT)
        .filter(links__organization__in=field, parent__isnull=True)
        .exclude(pk__in=taken)
        .distinct()
        .order_by("pk")[:count]
    )
    return list(found)


@transaction.atomic
def load(city: Region, out) -> None:
    if IndustryCommittee.objects.exists() or Meeting.objects.exists():
        out.write("工委会议与行业党委演示数据：已存在，未重复生成")
        return
    actor = User.objects.filter(role=Role.OFFICE).order_by("pk").first()
    taken: set[int] = set()
    made = []
    for name, owner, industries, tags, branch_count, ratings, activity_count in COMMITTEES:
        unit = MemberUnit.objects.get(name=owner)
        committee = services.save_committee(
            services.CommitteeData(
                name=name,
                owner_unit=unit,
                industries=list(Industry.objects.filter(code__in=industries)),
                tags=tags,
                areas=[],
                secretary="",
                founded_on=D(2019, 7, 1),
            ),
            actor=actor,
            today=D(2019, 7, 1),
        )
        branches = _branches(committee, branch_count, taken)
        taken |= {b.pk for b in branches}
        PartyOrganization.objects.filter(pk__in=[b.pk for b in branches]).update(
            parent=committee.party_org, external_parent_name=""
        )
        # Only the inspections below count for 2022 (the coverage demo's own are moved to 2021).
        BranchInspection.objects.filter(party_org__in=branches, inspected_on__year=2022).update(
            inspected_on=D(2021, 11, 15)
        )
        for i, rating in enumerate(ratings):
            branch = branches[i % len(branches)]
            BranchInspection.objects.create(
                party_org=branch,
                inspected_on=D(2022, 2 + i % 3, 10 + i),
                meetings_held=rating != Rating.POOR,
                secretary_in_post=rating != Rating.POOR,
                rating=rating,
                inspector=f"{owner}党建科",
            )
        kinds = list(ActivityKind)
        for i in range(activity_count):
            kind = kinds[i % len(kinds)]
            Activity.objects.create(
                date=D(2022, 1 + i, 12 + i),
                kind=kind,
                title=f"{name}{ACTIVITY_TITLES[kind]}",
                organizer=unit,
                committee=committee,
                whole_field=i % 2 == 0,
                people=30 + 15 * i,
            )
        Activity.objects.create(
            date=D(2021, 12, 8),
            kind=ActivityKind.STUDY,
            title=f"{name}2021年度组织生活会",
            organizer=unit,
            committee=committee,
            people=25,
        )
        made.append(committee)
    meeting = services.save_meeting(
        Meeting(
            name="2022年“两新”工委第一次全体会议",
            date=D(2022, 3, 18),
            kind=MeetingKind.PLENARY,
            chair="市委常委、组织部部长",
            minutes="会议传达学习上级关于“两新”组织党建工作的部署，研究物流、快递行业党建和成员单位品牌创建工作。",
        ),
        list(MemberUnit.objects.filter(kind="department", active=True)),
        actor=actor,
    )
    tasks = []
    for title, lead, units, deadline, dispatch in DECISIONS:
        decision = services.add_decision(
            meeting,
            services.DecisionData(
                title=title,
                lead=MemberUnit.objects.get(name=lead),
                units=list(MemberUnit.objects.filter(name__in=units)),
                deadline=services.plans.parse_deadline(deadline, year=2022),
                deadline_text=deadline,
                enters_dispatch=dispatch,
            ),
            actor=actor,
            source="command",
        )
        if dispatch:
            tasks.append(services.dispatch_decision(decision, actor=actor, source="command"))
    _reports(tasks)
    out.write(
        f"工委会议与行业党委演示数据：行业党委 {len(made)} 个、活动 {Activity.objects.count()} 次、"
        f"工委会议 1 次（议定事项纳入调度 {len(tasks)} 项）；截至2022-05-31查看 /committee/industry/?as_of=2022-05-31"
    )


def _reports(tasks) -> None:
    """April and May reports on the meeting's tasks: the first done in May, the second under way
    (its responsible units not reporting in May: 滞后)."""
    periods = {p.month.month: p for p in Period.objects.filter(plan__year=2022)}
    if 4 not in periods or 5 not in periods:
        return
    first, second = tasks
    plan = [
        (first, 4, ProgressStatus.ON_TRACK, 50, D(2022, 4, 20)),
        (first, 5, ProgressStatus.DONE, 100, D(2022, 5, 18)),
        (second, 4, ProgressStatus.ON_TRACK, 20, D(2022, 4, 22)),
        (second, 5, ProgressStatus.ON_TRACK, 40, D(2022, 5, 23)),
    ]
    for task, month, status, percent, day in plan:
        for assignment in task.assignments.select_related("unit").order_by("-is_lead", "unit__sort"):
            if task is second and month == 5 and not assignment.is_lead:
                continue
            reports.save_report(
                actor=None,
                task=task,
                unit=assignment.unit,
                period=periods[month],
                data={
                    "status": status,
                    "percent": percent,
                    "progress": f"{month}月，{assignment.unit.name}落实工委会议议定事项“{task.title[:14]}”。",
                    "problems": "",
                    "next_steps": "按计划推进",
                },
                submit=True,
                at=_moment(day),
                source="command",
                check_lock=False,
            )
