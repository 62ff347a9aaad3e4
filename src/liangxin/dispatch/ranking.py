"""Unit scores, ranks and the 红榜/黑榜 (domain.md §6), for every page, document and chart.

* score = (w₁ · 报送得分 + w₂ · 按期完成率) ÷ (w₁ + w₂) × 100 − penalty × times returned, never
  below 0, one decimal. 报送得分 is per expected pair: 1 on time, `late_credit`% late, 0 not
  submitted — so a unit that reported every item late scores between one that reported on time
  and one that reported nothing.
* A unit with nothing expected this month is not ranked (score and rank None).
* Equal scores share a rank (1, 2, 2, 4).
* 红榜: the top five ranks and every unit tied at the cut; 黑榜: the bottom five ranks counted
  from the bottom and every unit tied there, worst first, none that is on the 红榜.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

BOARD_SIZE = 5  # 红榜/黑榜: five ranks each


def reporting_credit(row: Any, late_credit: int) -> float | None:
    """报送得分 as a fraction of the expected pairs (None when nothing is expected)."""
    if not row.expected:
        return None
    late = row.submitted - row.on_time
    return (row.on_time + late * late_credit / 100) / row.expected


def score_of(row: Any, plan: Any) -> float | None:
    """A unit's score for the period (None when it has nothing expected)."""
    credit = reporting_credit(row, plan.late_credit)
    if credit is None:
        return None
    weight = (plan.weight_on_time + plan.weight_done) or 1
    done_rate = row.done_on_time / row.pairs if row.pairs else 0.0
    raw = (plan.weight_on_time * credit + plan.weight_done * done_rate) / weight * 100
    return round(max(raw - plan.penalty_returned * row.returned, 0.0), 1)


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """Ranks of scores already sorted best first; equal scores share a rank (1, 2, 2, 4)."""
    ranks: list[int] = []
    for index, score in enumerate(scores):
        ranks.append(ranks[-1] if index and scores[index - 1] == score else index + 1)
    return ranks


def rank_units(units: list, plan: Any) -> list:
    """Score and rank the unit rows (they carry expected/submitted/on_time/pairs/done_on_time/
    returned); returns them ranked best first, the unranked ones (nothing expected) last."""
    for row in units:
        row.rate = row.submitted / row.expected if row.expected else None
        row.on_time_rate = row.on_time / row.expected if row.expected else None
        row.score = score_of(row, plan)
        row.rank = row.bottom_rank = None
    ranked = sorted(
        (r for r in units if r.score is not None), key=lambda r: (-r.score, r.unit.sort, r.unit.pk)
    )
    for row, rank in zip(ranked, competition_ranks([r.score for r in ranked]), strict=True):
        row.rank = rank
    from_bottom = list(reversed(ranked))
    # 1 + the number of units that scored lower: the rank counted from the bottom, shared by ties
    for row, rank in zip(from_bottom, competition_ranks([-r.score for r in from_bottom]), strict=True):
        row.bottom_rank = rank
    unranked = sorted((r for r in units if r.score is None), key=lambda r: (r.unit.sort, r.unit.pk))
    return ranked + unranked


def red_list(units: Sequence) -> list:
    """红榜: every ranked unit whose rank is among the top five (ties at the cut included)."""
    return [row for row in units if row.rank is not None and row.rank <= BOARD_SIZE]


def black_list(units: Sequence) -> list:
    """黑榜: every ranked unit among the bottom five ranks (ties at the cut included), worst
    first; a unit on the 红榜 is not also on the 黑榜."""
    top = {id(row) for row in red_list(units)}
    rows = [
        r for r in units if r.bottom_rank is not None and r.bottom_rank <= BOARD_SIZE and id(r) not in top
    ]
    return sorted(rows, key=lambda r: (r.bottom_rank, r.unit.sort, r.unit.pk))


@dataclass
class RankGroup:
    """Units sharing one rank on a list: “并列第2名：A、B、C（90分）”."""

    rank: int
    score: Any
    units: list[str]

    @property
    def tied(self) -> bool:
        return len(self.units) > 1


def rank_groups(entries: Sequence[Any]) -> list[RankGroup]:
    """Consecutive entries (with .rank, .unit, .score; unit a name) grouped by rank."""
    groups: list[RankGroup] = []
    for entry in entries:
        if groups and groups[-1].rank == entry.rank:
            groups[-1].units.append(entry.unit)
        else:
            groups.append(RankGroup(entry.rank, entry.score, [entry.unit]))
    return groups
