import datetime
from collections import Counter
from io import StringIO

from liangxin.dispatch import demo
from liangxin.dispatch.models import Period, Task
from liangxin.dispatch.status import period_status


def test_the_demo_loads_the_2022_plan_from_the_speech_with_a_realistic_mix(city):
    out = StringIO()
    demo.load(city, out)
    assert "重点任务 14 项" in out.getvalue()
    logistics = Task.objects.get(title="成立物流行业党委")
    assert logistics.lead.name == "交通运输局" and logistics.deadline == datetime.date(2022, 6, 30)
    brands = Task.objects.get(title="明确“两新”组织党建品牌")
    assert brands.assignments.count() == 12  # 各成员单位
    assert [p.key for p in Period.objects.order_by("month")] == [f"2022-0{m}" for m in range(1, 6)]
    may = period_status(Period.objects.get(month=datetime.date(2022, 5, 1)), datetime.date(2022, 5, 28))
    reports = Counter(c.report for c in may.cells.values())
    lights = Counter(c.light for c in may.cells.values())
    assert {"missing", "draft", "submitted", "returned", "accepted"} <= set(reports)
    assert {"done", "green", "yellow", "red"} <= set(lights)
    assert 0 < may.totals["on_time"] < may.totals["submitted"] < may.totals["expected"]
    again = StringIO()
    demo.load(city, again)
    assert "跳过" in again.getvalue()


def test_the_demo_plan_has_milestones_and_some_are_missed_by_the_end_of_may(city):
    from liangxin.dispatch.status import period_milestones

    demo.load(city, StringIO())
    logistics = Task.objects.get(title="成立物流行业党委")
    assert [m.text for m in logistics.milestone_items.all()] == ["完成调研摸底", "报批组建方案"]
    may = period_status(Period.objects.get(month=datetime.date(2022, 5, 1)), datetime.date(2022, 5, 28))
    states = Counter(s.state for ms in period_milestones(may).values() for s in ms)
    assert states["missed"] >= 1 and states["pending"] >= 1
