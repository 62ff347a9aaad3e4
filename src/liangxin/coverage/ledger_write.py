"""Applies the party-building facts of a combined 摸排表 (`ledger.Facts`), inside the import's
write transaction, after its organizations were merged. Every change goes through the coverage
services (`save_party_org`, `save_instructor`: the actor's `change` scope, an audit record);
what is already as the sheet says is read in bulk and left alone, so a re-import writes nothing.
New party organizations and instructors are inserted in bulk (`services.create_party_orgs`,
`create_instructors`); changes to existing ones are written set-wise (`ledger_merge`).

* Party organizations, grouped by 党组织名称: 单独组建 covers its one organization; 联合组建 covers
  every row that names it, beside what it already covers in the system. A new one without a
  founding date covers from the import date (with a warning).
* A row saying 否 for an organization covered in the system ends that link as of the import
  date, with a warning; so does a row naming another party organization of the same formation.
* Instructors, matched by name + phone (a masked phone from an export: by name and the mask),
  created if new; each assignment dated from 派驻日期 or the import date. 否 ends an assignment.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError

from liangxin.core.importing import Problem
from liangxin.core.tabular import ValueProblem, mask_phone, parse_phone
from liangxin.coverage import engine, ledger_merge, services
from liangxin.coverage.ledger import SPEC, Facts
from liangxin.coverage.ledger_merge import Change
from liangxin.coverage.models import (
    Assignment,
    CoverageLink,
    Formation,
    Instructor,
    PartyOrganization,
    PartyOrgType,
)
from liangxin.registry.models import Organization

CHUNK = 2000


def _chunks(items: list) -> Iterable[list]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


class LedgerWriter:
    def __init__(self, ctx, report, match, *, today: datetime.date):
        self.ctx = ctx
        self.report = report
        self.match = match
        self.today = today
        self.changed: set[int] = set()  # row numbers whose party-building facts changed something
        self.warnings: dict[int, tuple[Facts, list[Problem]]] = {}

    # ------------------------------------------------------------------ helpers

    def warn(self, facts: Facts, key: str, message: str) -> None:
        header = self.match.headers.get(key) or SPEC.column(key).label
        self.warnings.setdefault(facts.row.number, (facts, []))[1].append(
            Problem(facts.row.number, header, message)
        )

    def save(self, rows: list[Facts], key: str, call, *args, **kwargs):
        """A coverage service call; refused (scope, validation): a warning on each row, None."""
        try:
            return call(*args, actor=self.ctx.actor, today=self.today, source=self.ctx.source,
                        source_detail=self.ctx.filename, **kwargs)  # fmt: skip
        except ValidationError as exc:
            for facts in rows:
                self.warn(facts, key, f"{'；'.join(exc.messages)}（该项未导入，组织照常导入）")
            return None

    def _orgs(self, codes: list[str]) -> dict[str, Organization]:
        found: dict[str, Organization] = {}
        for part in _chunks(codes):
            found.update((o.credit_code, o) for o in Organization.objects.filter(credit_code__in=part))
        return found

    def _covering(self, model, org_ids: list[int]) -> dict[int, list]:
        """Each organization's links (or assignments) that cover it on the import date, by the
        engine's rule: those a 否 ends, or a move to another party organization."""
        by_org: dict[int, list] = defaultdict(list)
        if model is CoverageLink:
            related, active = "party_org", engine.link_active_q(self.today)
        else:
            related, active = "instructor", engine.assignment_active_q(self.today)
        for part in _chunks(org_ids):
            for row in model.objects.filter(active, organization_id__in=part).select_related(related):
                by_org[row.organization_id].append(row)
        return by_org

    # ------------------------------------------------------------------ the whole sheet

    def write(self, facts: list[Facts]) -> None:
        if not facts:
            return
        self.orgs = self._orgs([f.credit_code for f in facts])
        facts = [f for f in facts if f.credit_code in self.orgs]
        self._party([f for f in facts if f.has_party is not None or f.party_name])
        self._instructors([f for f in facts if f.has_instructor is not None or f.instructor])
        for f in facts:
            if f.row.number in self.changed and f.org_outcome == "unchanged":
                self.report.unchanged -= 1
                self.report.updated += 1
        kept = {number: i for i, (number, _, _) in enumerate(self.report.warned_rows)}
        for number, (f, problems) in sorted(self.warnings.items()):
            if number in kept:  # the row already warned while it was read: one entry
                self.report.warnings.extend(problems)
                self.report.warned_rows[kept[number]][2].extend(problems)
            else:
                self.report.warn(f.row, problems)

    # ------------------------------------------------------------------ party organizations

    def _party(self, facts: list[Facts]) -> None:
        if not facts:
            return
        org_of = {f.row.number: self.orgs[f.credit_code] for f in facts}
        links = self._covering(CoverageLink, list({o.pk for o in org_of.values()}))
        ending: dict[int, set[int]] = defaultdict(set)  # party org id → organizations leaving it
        party_orgs: dict[int, PartyOrganization] = {}
        for f in facts:
            if f.has_party is False:
                for link in links.get(org_of[f.row.number].pk, []):
                    self._end(f, "has_party", link, ending, party_orgs, "本表填写“否”")
        groups: dict[str, list[Facts]] = defaultdict(list)
        for f in facts:
            if not f.wants_party:
                continue
            if not f.party_name:
                if f.formation == Formation.JOINT:
                    self.warn(
                        f,
                        "party_name",
                        "联合组建但没有填写党组织名称，无法确定是哪个联合党组织，党组织信息未导入",
                    )
                    continue
                f.party_name = f"{f.org_name}党支部"
                self.warn(
                    f, "party_name", f"没有填写党组织名称，已按“{f.party_name}”记录单独组建的党组织，请核对"
                )
            groups[f.party_name].append(f)
        existing = {}
        for part in _chunks(list(groups)):
            existing.update((p.name, p) for p in PartyOrganization.objects.filter(name__in=part))
        party_orgs.update((p.pk, p) for p in existing.values())
        covered = self._covered(list(party_orgs))
        plans = []
        for name, rows in groups.items():
            party_org = existing.get(name)
            values, rows = self._values(name, rows, party_org)
            for f in rows:  # an organization moving from another party organization of the same formation
                for link in links.get(org_of[f.row.number].pk, []):
                    if link.party_org.name != name and link.party_org.formation == values["formation"]:
                        self._end(f, "party_name", link, ending, party_orgs, f"本表填写党组织“{name}”")
            plans.append((name, rows, party_org, values))
        # the party organizations left by a move: what they cover, read before anything is written
        covered.update(self._covered([pk for pk in ending if pk not in covered]))
        changes = []
        planned = {p.pk for _, _, p, _ in plans if p is not None}
        for party_org_id, leaving in ending.items():
            if party_org_id not in planned:  # otherwise changed with its group below
                before = covered.get(party_org_id, set())
                changes.append(
                    Change(party_orgs[party_org_id], before - leaving, before, token=("has_party", [], []))
                )
        self._create([(rows, values) for _, rows, party_org, values in plans if party_org is None], org_of)
        for _name, rows, party_org, values in plans:
            if party_org is None:
                continue  # created above, all at once
            before = covered.get(party_org.pk, set())
            wanted = (before | {org_of[f.row.number].pk for f in rows}) - ending.get(party_org.pk, set())
            same = all(getattr(party_org, k) == v for k, v in values.items())
            if same and wanted == before:
                continue  # as the sheet says: nothing to write
            if len(values.get("secretary") or "") > 50:
                for f in rows:
                    self.warn(f, "secretary", "书记姓名超过 50 字，党组织信息未导入")
                continue
            added = [f for f in rows if org_of[f.row.number].pk not in before]
            changes.append(
                Change(party_org, wanted, before, values, token=("party_name", rows, added if same else rows))
            )
        self._apply(ledger_merge.PARTY, changes, services.save_party_org)

    def _apply(self, kind: ledger_merge.Kind, changes: list[Change], service) -> None:
        """Changes to existing party organizations (instructors), set-wise; those outside the
        actor's scope warn on their rows. Should one leave the scope through the change, the
        service writes them one by one instead (refusing just that one, with its reason).
        A change's token: (the column its warnings name, its rows, the rows it counts changed)."""
        allowed = ledger_merge.changeable(kind, [c.obj.pk for c in changes], self.ctx.actor)
        mine = []
        for c in changes:
            key, rows, _ = c.token
            if c.obj.pk in allowed:
                mine.append(c)
            for f in rows if c.obj.pk not in allowed else []:
                self.warn(f, key, f"{services.NOT_YOURS}（该项未导入，组织照常导入）")
        done = ledger_merge.merge(kind, mine, actor=self.ctx.actor, today=self.today, source=self.ctx.source,
                                  source_detail=self.ctx.filename)  # fmt: skip
        if done is not None:
            for c in mine:
                if c.obj.pk in done:
                    self.changed.update(f.row.number for f in c.token[2])
            return
        for c in mine:
            key, rows, marked = c.token
            current = c.before & c.wanted
            starts: dict[datetime.date, set[int]] = defaultdict(set)
            for pk in c.wanted - c.before:
                starts[c.starts.get(pk, self.today)].add(pk)
            obj = c.obj
            for start in sorted(starts) or [self.today]:
                current |= starts[start]
                dated = {"starts_on": start} if kind is ledger_merge.INSTRUCTOR else {}
                saved = self.save(
                    rows, key, service, obj, organizations=self._objects(current), **dated, **c.values
                )
                if saved is None:
                    break
                obj = saved[0]
            else:
                self.changed.update(f.row.number for f in marked)

    def _create(self, plans: list[tuple[list[Facts], dict]], org_of: dict) -> None:
        """New party organizations, in one go (`services.create_party_orgs`)."""
        items, kept = [], []
        for rows, values in plans:
            if len(values["name"]) > 200 or len(values.get("secretary") or "") > 50:
                for f in rows:
                    self.warn(f, "party_name", "党组织名称超过 200 字或书记姓名超过 50 字，党组织信息未导入")
                continue
            items.append(
                (values, list({org_of[f.row.number].pk: org_of[f.row.number] for f in rows}.values()))
            )
            kept.append(rows)
        created = services.create_party_orgs(
            items,
            actor=self.ctx.actor,
            today=self.today,
            source=self.ctx.source,
            source_detail=self.ctx.filename,
        )
        for rows, party_org in zip(kept, created, strict=True):
            if party_org is None:
                for f in rows:
                    self.warn(
                        f,
                        "party_name",
                        f"{services.NOT_YOURS}：该党组织将不在您的管辖范围内，党组织信息未导入",
                    )
            else:
                self.changed.update(f.row.number for f in rows)

    def _end(self, f: Facts, key: str, link, ending, party_orgs, why: str) -> None:
        if link.organization_id in ending[link.party_org_id]:
            return
        ending[link.party_org_id].add(link.organization_id)
        party_orgs[link.party_org_id] = link.party_org
        self.changed.add(f.row.number)
        self.warn(
            f, key, f"{why}：该组织与党组织“{link.party_org.name}”的覆盖关系自 {self.today:%Y-%m-%d} 起结束"
        )

    def _covered(self, party_org_ids: list[int]) -> dict[int, set[int]]:
        covered: dict[int, set[int]] = defaultdict(set)
        for part in _chunks(party_org_ids):
            for party_org_id, org_id in (
                CoverageLink.objects.filter(party_org_id__in=part)
                .exclude(ends_on__lte=self.today)
                .values_list("party_org_id", "organization_id")
            ):
                covered[party_org_id].add(org_id)
        return covered

    def _objects(self, ids: set[int]) -> list[Organization]:
        return [o for part in _chunks(sorted(ids)) for o in Organization.objects.filter(pk__in=part)]

    def _values(self, name, rows, party_org) -> tuple[dict, list[Facts]]:
        """The party organization's fields as the rows give them (the first row that says), and
        the rows it covers."""
        first = rows[0]
        given = [f.formation for f in rows if f.formation]
        shared = len(rows) > 1 or (party_org is not None and party_org.formation == Formation.JOINT)
        formation = given[0] if given else (party_org.formation if party_org else None)
        if formation is None:
            formation = Formation.JOINT if shared else Formation.SINGLE
            self.warn(first, "formation", f"没有填写组建方式，按{Formation(formation).label}记录，请核对")
        if formation == Formation.SINGLE and len(rows) > 1:
            for f in rows[1:]:
                self.warn(
                    f,
                    "party_name",
                    f"单独组建的党组织“{name}”只覆盖一个组织（第 {first.row.number} 行），本行的党组织覆盖未导入；"
                    "如是联合党组织，请把组建方式改为“联合组建”",
                )
            rows = rows[:1]
        if formation == Formation.JOINT and len(rows) == 1 and party_org is None:
            self.warn(
                first, "party_name", f"联合组建的党组织“{name}”在本表和系统中只覆盖这一个组织，请核对名称"
            )
        values = {"name": name, "formation": formation}
        kind = next((f.party_type for f in rows if f.party_type), None)
        if kind or party_org is None:
            values["org_type"] = kind or PartyOrgType.BRANCH
        founded = next((f.founded_on for f in rows if f.founded_on), None)
        if founded:
            values["founded_on"] = founded
        elif party_org is None:
            self.warn(
                first,
                "party_founded_on",
                f"没有填写党组织成立时间，按导入日期 {self.today:%Y-%m-%d} 起计算覆盖",
            )
        secretary = next((f.secretary for f in rows if f.secretary), None)
        if secretary:
            values["secretary"] = secretary
        return values, rows

    # ------------------------------------------------------------------ instructors

    def _instructors(self, facts: list[Facts]) -> None:
        if not facts:
            return
        org_of = {f.row.number: self.orgs[f.credit_code] for f in facts}
        open_rows = self._covering(Assignment, list({o.pk for o in org_of.values()}))
        ending: dict[int, set[int]] = defaultdict(set)
        instructors: dict[int, Instructor] = {}
        for f in facts:
            if f.has_instructor is False:
                for a in open_rows.get(org_of[f.row.number].pk, []):
                    ending[a.instructor_id].add(a.organization_id)
                    instructors[a.instructor_id] = a.instructor
                    self.changed.add(f.row.number)
                    self.warn(
                        f,
                        "has_instructor",
                        f"本表填写“否”：指导员“{a.instructor.name}”对该组织的派驻自 {self.today:%Y-%m-%d} 起结束",
                    )
        wanted = [f for f in facts if f.wants_instructor]
        by_name: dict[str, list[Instructor]] = defaultdict(list)
        for part in _chunks(sorted({f.instructor for f in wanted})):
            for instructor in Instructor.objects.filter(name__in=part):
                by_name[instructor.name].append(instructor)
        groups: dict[tuple, list[Facts]] = defaultdict(list)  # (instructor key) → rows
        for f in wanted:
            key = self._instructor_key(f, by_name)
            if key is not None:
                groups[key].append(f)
        known = {i.pk: i for found in by_name.values() for i in found} | instructors
        assigned = self._assigned([k[1] for k in groups if k[0] == "id"] + list(ending))
        self._create_instructors([(key, rows) for key, rows in groups.items() if key[0] == "new"], org_of)
        changes = []
        for key, rows in groups.items():
            if key[0] == "new":
                continue  # created above, all at once
            instructor = known[key[1]]
            current = assigned.get(instructor.pk, set())
            leaving = ending.pop(instructor.pk, set())
            starts, marked = {}, []
            for f in rows:
                pk = org_of[f.row.number].pk
                if pk not in current or pk in leaving:
                    starts.setdefault(pk, f.starts_on or self.today)
                    marked.append(f)
            if not starts and not leaving:
                continue  # every organization already assigned to this instructor
            wanted = (current - leaving) | set(starts)
            changes.append(
                Change(instructor, wanted, current, starts=starts, token=("instructor", rows, marked))
            )
        for instructor_id, leaving in ending.items():
            current = assigned.get(instructor_id, set())
            changes.append(
                Change(
                    instructors[instructor_id], current - leaving, current, token=("has_instructor", [], [])
                )
            )
        self._apply(ledger_merge.INSTRUCTOR, changes, services.save_instructor)

    def _create_instructors(self, groups: list[tuple[tuple, list[Facts]]], org_of: dict) -> None:
        """New instructors with their assignments, in one go (`services.create_instructors`)."""
        items, kept = [], []
        for (_, name, phone), rows in groups:
            workplace = next((f.workplace for f in rows if f.workplace), "")
            if len(name) > 50 or len(workplace) > 100:
                for f in rows:
                    self.warn(f, "instructor", "指导员姓名超过 50 字或工作单位超过 100 字，指导员派驻未导入")
                continue
            assignments = {
                org_of[f.row.number].pk: (org_of[f.row.number], f.starts_on or self.today) for f in rows
            }
            items.append(({"name": name, "phone": phone, "workplace": workplace}, list(assignments.values())))
            kept.append(rows)
        created = services.create_instructors(
            items,
            actor=self.ctx.actor,
            today=self.today,
            source=self.ctx.source,
            source_detail=self.ctx.filename,
        )
        for rows, instructor in zip(kept, created, strict=True):
            if instructor is None:
                for f in rows:
                    self.warn(
                        f, "instructor", f"{services.NOT_YOURS}：该指导员将不在您的管辖范围内，派驻未导入"
                    )
            else:
                self.changed.update(f.row.number for f in rows)

    def _instructor_key(self, f: Facts, by_name: dict[str, list[Instructor]]) -> tuple | None:
        """("id", pk, phone) for an instructor in the system, ("new", name, phone) for one to
        create; None (with a warning) when the phone cannot tell."""
        candidates = by_name.get(f.instructor, [])
        phone = f.phone
        if phone and "*" in phone:  # masked in an export: the instructor with that mask
            found = [i for i in candidates if mask_phone(i.phone) == phone]
        elif phone:
            try:
                phone = parse_phone(phone)
            except ValueProblem as exc:
                self.warn(f, "instructor_phone", f"{exc.message}；指导员派驻未导入")
                return None
            found = [i for i in candidates if i.phone == phone]
            if not found:
                return ("new", f.instructor, phone)
        else:
            found = candidates
        if len(found) != 1:
            self.warn(
                f,
                "instructor_phone",
                f"无法确定是哪一位指导员“{f.instructor}”（请填写指导员联系电话），指导员派驻未导入",
            )
            return None
        return ("id", found[0].pk, found[0].phone)

    def _assigned(self, instructor_ids: list[int]) -> dict[int, set[int]]:
        assigned: dict[int, set[int]] = defaultdict(set)
        for part in _chunks(sorted(set(instructor_ids))):
            for instructor_id, org_id in (
                Assignment.objects.filter(instructor_id__in=part)
                .exclude(ends_on__lte=self.today)
                .values_list("instructor_id", "organization_id")
            ):
                assigned[instructor_id].add(org_id)
        return assigned
