"""Read every figure back out of a bulletin .docx, and work out what the platform's commands
(`liangxin coverage --json`, `liangxin dispatch_status --json`) say it should be.

`document_figures` parses the document's sentences and tables into plain values; any paragraph
with a digit that no rule reads is reported, so a number cannot slip into the document unchecked.
`command_figures` builds the same structure from the commands' JSON for this month and last,
independently of the code that writes the bulletin (rates are recomputed from counts here).
"""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import docx

RATE = r"(—|[\d.]+%)"
CHANGE = r"(?:，(较上月提高[\d.]+个百分点|较上月下降[\d.]+个百分点|与上月持平))?"
LIGHTS = {"done": "已完成", "green": "正常", "yellow": "滞后", "red": "逾期"}


# ---------------------------------------------------------------------------- the document


def _change(phrase: str | None) -> str | None:
    """“较上月提高1.2个百分点” → "+1.2"; “较上月下降0.4个百分点” → "-0.4"; “与上月持平” → "0.0"."""
    if not phrase:
        return None
    if phrase == "与上月持平":
        return "0.0"
    number = re.search(r"[\d.]+", phrase).group()
    return ("+" if "提高" in phrase else "-") + number


def _items(text: str, pattern: str) -> list[tuple]:
    return [re.fullmatch(pattern, item).groups() for item in text.split("；" if "项“" in text else "、")]


def _missed(detail: str) -> tuple[list[str], list[str]]:
    """“第1项、第2项逾期报送，第4项、会1.2未报送” → (["1", "2"], ["4", "会1.2"]): a numbered task
    reads 第N项, another code as it is (documents.bulletin)."""
    found = {"逾期报送": [], "未报送": []}
    for part in detail.split("，"):
        for ending, codes in found.items():
            if part.endswith(ending) and not (ending == "未报送" and part.endswith("逾期报送")):
                for item in part[: -len(ending)].split("、"):
                    m = re.fullmatch(r"第([^项]+)项", item)
                    codes.append(m.group(1) if m else item)
    return found["逾期报送"], found["未报送"]


def _annex(found: dict) -> dict:
    """The annex sentences' figures: None where the sentence says there is nothing."""

    def numbers(groups, count):
        return (
            None if groups[0] is None else tuple(int(v) if v and v.isdigit() else v for v in groups[:count])
        )

    annex = {}
    if "followups" in found:
        annex["followups"] = numbers(found["followups"], 5)
    if "pairings" in found:
        groups = found["pairings"]
        annex["pairings"] = numbers(groups, 7)
        annex["unpaired_key_villages"] = int(groups[7] or 0)
    if "integration" in found:
        annex["integration"] = numbers(found["integration"], 4)
    if "brands" in found:
        g = found["brands"]
        annex["brands"] = None if g[0] is None else (int(g[0]), int(g[1]), g[2], int(g[3] or 0), g[4])
    return annex


def document_figures(content: bytes) -> tuple[dict, list[str]]:
    """The document's figures, and the paragraphs with digits that no rule read."""
    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    unread: list[str] = []
    found: dict = {}
    rules = [
        (
            "intro",
            r"为推动年度基层党建重点任务落地见效，市委党建办对(\d{4})年(\d+)月重点任务推进情况进行了调度"
            r"（数据截至(\d{4})年(\d+)月(\d+)日）。现将有关情况通报如下。",
        ),
        (
            "overall",
            r"本月纳入调度的重点任务共(\d+)项，各牵头单位和责任单位应报送事项(\d+)个"
            r"(?:（另有(\d+)个事项已于此前完成，本月不再报送）)?。"
            r"从进展情况看，已完成(\d+)个，正常推进(\d+)个，滞后(\d+)个，逾期(\d+)个。",
        ),
        (
            "reporting",
            rf"从报送情况看，已报送(\d+)个，报送率为{RATE}{CHANGE}；按时报送(\d+)个，按时报送率为{RATE}{CHANGE}。",
        ),
        ("sentinel", r"本月流动哨兵报告(\d+)件，办结(\d+)件。"),
        (
            "coverage",
            rf"截至(\d{{4}})年(\d+)月(\d+)日，全市纳入统计的两新组织共(\d+)家(?:（统计范围：[^）]+）)?。"
            rf"全市组织覆盖率为{RATE}{CHANGE}；单独组建率为{RATE}{CHANGE}；工作覆盖率为{RATE}{CHANGE}。"
            r"应建未建党组织的两新组织有(\d+)家，党的组织和工作均未覆盖的有(\d+)家。",
        ),
        (
            "counties",
            rf"分县（市、区）看，组织覆盖率最高的是(.+?)（{RATE}），最低的是(.+?)（{RATE}）(?:；较上月下降的有(.+))?。",
        ),
        # 整改 per county: checked against hand counts in test_rectification_annex.py
        (
            "rectification",
            r"截至\d{4}年\d+月\d+日，联合党支部排查(?:发现问题的整改事项未销号\d+个.+|尚未发现需整改的问题。)",
        ),
        # 三同步 per unit, 结对共建, 五融入五提升, the brand campaign (documents.annex): the totals are
        # read here; test_annex_lines.py checks them and the per-unit/county parts against hand counts
        (
            "followups",
            r"截至\d{4}年\d+月\d+日，(?:三同步跟进事项本月新发起(\d+)件、到期(\d+)件、办结(\d+)件"
            r"（其中按期办结(\d+)件），逾期未办结(\d+)件。分单位看，(.+)。"
            r"|本月没有三同步跟进事项，也没有逾期未办结的跟进事项。)",
        ),
        (
            "pairings",
            r"结对共建方面，截至\d{4}年\d+月\d+日，\d{4}年(?:在结对(\d+)对，涉及两新组织(\d+)家、村（社区）(\d+)个"
            r"（其中乡村振兴重点帮扶村(\d+)个）；实施帮扶项目(\d+)个，投入资金([\d.]+)万元，受益群众(\d+)人"
            r"|尚无在结对的两新组织)(?:[；，]乡村振兴重点帮扶村中尚未结对的有(\d+)个)?。(?:分县（市、区）看，(.+)。)?",
        ),
        (
            "integration",
            r"“五融入五提升”方面，截至\d{4}年\d+月\d+日，\d{4}年(?:已评估两新组织(\d+)家，五项平均([\d.]+)分"
            r"(?:，(较上年(?:提高|下降)[\d.]+分|与上年持平))?，最薄弱的是(\S+?)。(?:分县（市、区）看，(.+)。)?"
            r"|尚未有两新组织完成评估。)",
        ),
        (
            "brands",
            r"品牌创建方面，(?:截至\d{4}年\d+月\d+日，\d{4}年品牌申报尚未开启。|.+（申报截止\d+月\d+日）"
            r"应申报单位(\d+)个，截至\d{4}年\d+月\d+日已申报(\d+)个(?:，逾期未申报的有(.+?))?；"
            r"(?:已登记品牌和示范点(\d+)个（(.+?)）|尚未登记品牌和示范点)"
            r"(?:；已命名品牌待回访(\d+)个、逾期未回访(\d+)个，已停止运行（推出即下架）(\d+)个)?。)",
        ),
        (
            "task_lights",
            r"(\d+)项重点任务中，已完成(\d+)项，正常推进(\d+)项，滞后(\d+)项，逾期(\d+)项。具体情况见下表。",
        ),
        ("overdue", r"共有(\d+)项任务逾期未完成：(.+)。"),
        ("lagging", r"共有(\d+)项任务进度滞后：(.+)。"),
        ("late", r"(\d+)个单位未按时报送：(.+)。"),
        ("red_list", r"综合得分前五名的单位（([^）]*)）：(.+?)。"),
        ("black_list", r"综合得分后五名的单位（([^）]*)）：(.+?)。(?:(.+)本月无应报送事项，不参与排名。)?"),
    ]
    requirements = paragraphs.index("六、下步要求")
    for index, text in enumerate(paragraphs):
        for name, pattern in rules:
            match = re.fullmatch(pattern, text)
            if match:
                found[name] = match.groups()
                break
        else:
            fixed = text in ("表1  各县（市、区）两新组织“两个覆盖”情况", "表2  重点任务推进情况")
            date = re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", text)  # 成文日期
            title = index < 3 and re.fullmatch(r"关于\d{4}年\d+月全市基层党建\n重点任务推进情况的通报", text)
            number = index < 2 and re.fullmatch(r"第\d+期", text)  # 版头: the issue number
            if re.search(r"\d", text) and not (fixed or date or title or number or index > requirements):
                unread.append(text)
    o = found["overall"]
    figures = {
        "as_of": "{}-{:0>2}-{:0>2}".format(*found["intro"][2:]),
        "overall": tuple(int(v) for v in (o[0], o[1], *o[3:])),
        "earlier_done": int(o[2] or 0),
    }
    if "sentinel" in found:
        figures["sentinel"] = tuple(int(v) for v in found["sentinel"])
    r = found["reporting"]
    figures["reporting"] = (int(r[0]), r[1], _change(r[2]), int(r[3]), r[4], _change(r[5]))
    c = found["coverage"]
    figures["coverage_as_of"] = "{}-{:0>2}-{:0>2}".format(*c[:3])
    figures["city"] = (
        int(c[3]),
        c[4],
        _change(c[5]),
        c[6],
        _change(c[7]),
        c[8],
        _change(c[9]),
        int(c[10]),
        int(c[11]),
    )
    if "counties" in found:
        high, high_rate, low, low_rate, falling = found["counties"]
        figures["extremes"] = (high, high_rate, low, low_rate)
        figures["falling"] = (
            [(name, _change("较上月" + phrase)) for name, phrase in _items(falling or "", r"(.+?)（(.+)）")]
            if falling
            else []
        )
    figures["task_lights"] = tuple(int(v) for v in found["task_lights"])
    figures["annex"] = _annex(found)  # not in the coverage and dispatch commands' answers
    for name in ("overdue", "lagging"):
        if name in found:
            count, text = found[name]
            who = {"overdue": "逾期单位", "lagging": "滞后单位"}[name]
            # 第3项“…” for a numbered task; other codes as they are (会1.2“…”, documents.bulletin).
            items = [
                _task_item(
                    re.fullmatch(rf"(?:第(.+?)项|([^“]+))“(.*)”（牵头单位：(.+?)，{who}：(.*)）", item)
                )
                for item in text.split("；")
            ]
            assert int(count) == len(items), name
            figures[name] = {code: (lead, units.split("、")) for code, _title, lead, units in items}
        else:
            figures[name] = {}
    if "late" in found:
        count, text = found["late"]
        items = re.findall(r"([^、（]+)（应报送(\d+)个，按时报送(\d+)个；([^）]*)）", text)
        # compared whatever the order (the document lists them in the units' usual order)
        figures["late"] = sorted((unit, int(e), int(o), _missed(detail)) for unit, e, o, detail in items)
        assert int(count) == len(figures["late"])
    else:
        figures["late"] = []
    for name in ("red_list", "black_list"):
        entries = []
        if name in found:
            notes, text = found[name][:2]
            for group in text.split("；"):
                tied, rank, units, score = re.fullmatch(
                    r"(并列)?第(\d+)名，(.+)（([\d.]+)分）", group
                ).groups()
                names = units.split("、")
                assert bool(tied) == (len(names) > 1), group  # 并列 exactly when a rank is shared
                entries += [(int(rank), unit, Decimal(score)) for unit in names]
            assert f"共{len(entries)}个单位" in notes
        figures[name] = entries
    unranked = found.get("black_list", (None, None, None))[2]
    figures["unranked"] = unranked.split("、") if unranked else []

    coverage_table, task_table = document.tables
    rows = [[cell.text for cell in row.cells] for row in coverage_table.rows][1:]
    figures["coverage_rows"] = {row[0]: tuple(row[1:]) for row in rows}
    tasks = [[cell.text for cell in row.cells] for row in task_table.rows][1:]
    figures["tasks"] = {row[0]: tuple(row[1:]) for row in tasks}
    return figures, unread


# ---------------------------------------------------------------------------- the commands


def pct(part: int, whole: int) -> str:
    if not whole:
        return "—"
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def points(now: str, before: str | None) -> str | None:
    if before is None or "—" in (now, before):
        return None
    value = Decimal(now.rstrip("%")) - Decimal(before.rstrip("%"))
    return f"+{value}" if value > 0 else ("0.0" if value == 0 else str(value))


def _coverage_rates(row: dict) -> tuple[str, str, str]:
    if not row["in_scope"]:
        return "—", "—", "—"
    return tuple(f"{row[key]:.1f}%" for key in ("org_rate_pct", "single_rate_pct", "work_rate_pct"))


def _average(values: list[int]) -> str:
    return str((Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


PHRASES = {"done": "已完成", "green": "正常推进", "yellow": "滞后", "red": "逾期"}
SUBMITTED = ("submitted", "accepted")


def _progress(units: list[dict]) -> str:
    expected = [u for u in units if u["light"] != "earlier"]
    earlier = len(units) - len(expected)
    if not units:
        return "无责任单位"
    if not expected:
        return f"{earlier}个单位均已于此前完成，本月无需报送"
    counts = [(PHRASES[light], sum(1 for u in expected if u["light"] == light)) for light in LIGHTS]
    text = f"应报送单位{len(expected)}个：" + "，".join(f"{label}{n}个" for label, n in counts if n)
    missing = sum(1 for u in expected if u["report"] not in SUBMITTED)
    if missing:
        text += f"；本月未报送{missing}个"
    progress = [u["progress"] for u in expected if u["progress"] is not None]
    if progress:
        text += f"；平均进度{_average(progress)}%"
    if earlier:
        text += f"；另有{earlier}个单位此前已完成"
    return text


def command_figures(coverage: dict, dispatch: dict, last_coverage: dict, last_dispatch: dict | None) -> dict:
    """What the bulletin must say, from the commands' answers for this month and last."""
    t = dispatch["totals"]
    figures = {
        "as_of": dispatch["as_of"],
        "coverage_as_of": dispatch["as_of"],
        "overall": (
            len(dispatch["tasks"]),
            t["expected"],
            t["done"],
            t["green"],
            t["yellow"],
            t["red"],
        ),
        "earlier_done": t["earlier_done"],
    }
    report, on_time = pct(t["submitted"], t["expected"]), pct(t["on_time"], t["expected"])
    before = last_dispatch["totals"] if last_dispatch else None
    figures["reporting"] = (
        t["submitted"],
        report,
        points(report, pct(before["submitted"], before["expected"])) if before else None,
        t["on_time"],
        on_time,
        points(on_time, pct(before["on_time"], before["expected"])) if before else None,
    )
    last_rows = {row["name"]: row for row in last_coverage["rows"]}
    rows = {}
    for row in coverage["rows"]:
        org, single, work = _coverage_rates(row)
        last = last_rows.get(row["name"])
        change = points(org, _coverage_rates(last)[0]) if last else None
        rows[row["name"]] = (
            str(row["in_scope"]),
            org,
            change or "—",
            single,
            work,
            str(row["should_build"]),
            str(row["uncovered"]),
        )
    total, last_total = coverage["total"], last_coverage["total"]
    org, single, work = _coverage_rates(total)
    before_rates = _coverage_rates(last_total)
    rows["全市"] = (
        str(total["in_scope"]),
        org,
        points(org, before_rates[0]) or "—",
        single,
        work,
        str(total["should_build"]),
        str(total["uncovered"]),
    )
    figures["coverage_rows"] = rows
    figures["city"] = (
        total["in_scope"],
        org,
        points(org, before_rates[0]),
        single,
        points(single, before_rates[1]),
        work,
        points(work, before_rates[2]),
        total["should_build"],
        total["uncovered"],
    )
    ranked = sorted(
        ((row["name"], _coverage_rates(row)[0]) for row in coverage["rows"] if row["in_scope"]),
        key=lambda item: Decimal(item[1].rstrip("%")),
    )
    if len(ranked) >= 2:
        figures["extremes"] = (ranked[-1][0], ranked[-1][1], ranked[0][0], ranked[0][1])
        figures["falling"] = [
            (name, change)
            for name, (_, _, change, *_) in rows.items()
            if name != "全市" and change.startswith("-")
        ]
    tasks = dispatch["tasks"]
    lights = [task["light"] for task in tasks]
    figures["task_lights"] = (len(tasks), *(lights.count(light) for light in LIGHTS))
    figures["tasks"] = {
        task["code"]: (task["title"], task["lead"], LIGHTS[light], _progress(task["units"]))
        for task, light in zip(tasks, lights, strict=True)
    }
    for name, light in (("overdue", "red"), ("lagging", "yellow")):
        figures[name] = {
            task["code"]: (task["lead"], [u["unit"] for u in task["units"] if u["light"] == light])
            for task in tasks
            if any(u["light"] == light for u in task["units"])
        }
    late = []
    for unit in dispatch["units"]:
        if unit["on_time"] < unit["expected"]:
            cells = [
                (task["code"], u)
                for task in tasks
                for u in task["units"]
                if u["unit"] == unit["unit"] and u["light"] != "earlier" and not u["on_time"]
            ]
            late.append(
                (
                    unit["unit"],
                    unit["expected"],
                    unit["on_time"],
                    (
                        [code for code, u in cells if u["report"] in SUBMITTED],
                        [code for code, u in cells if u["report"] not in SUBMITTED],
                    ),
                )
            )
    figures["late"] = sorted(late)
    units = {u["unit"]: u for u in dispatch["units"]}
    for name in ("red_list", "black_list"):
        figures[name] = [(units[n]["rank"], n, _score(units[n]["score"])) for n in dispatch[name]]
    figures["unranked"] = [u["unit"] for u in dispatch["units"] if u["rank"] is None]
    return figures


def _score(value) -> Decimal:
    """A score as the document writes it: one decimal at most (compared as a number)."""
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _task_item(match: re.Match) -> tuple[str, str, str, str]:
    numbered, other, title, lead, units = match.groups()
    return numbered or other, title, lead, units
