"""The organizations sheet of `liangxin import_data` and the upload page."""

from __future__ import annotations

from django.utils import timezone

from liangxin.core.bulk import value_of
from liangxin.core.import_rows import RowReaders, fingerprints, raw_cell
from liangxin.core.importing import NOT_IMPORTED, Problem, SheetImporter
from liangxin.core.scoping import CHANGE
from liangxin.core.tabular import DataRow, normalize_credit_code
from liangxin.registry import rules, services
from liangxin.registry.models import Organization
from liangxin.registry.staging import RegistryStage


class OrganizationImporter(SheetImporter):
    spec = rules.SPEC
    order = 10  # before the sheets that refer to organizations
    staged = True  # read, validated and staged before the write transaction; merged in it
    template = ("registry:import_template", {})
    stage: RegistryStage | None = None

    def start(self) -> None:
        self.lookups = rules.Lookups.load()
        self.today = timezone.localdate()
        self.parser = rules.RowParser(self.lookups, today=self.today)
        self.seen: dict[str, int] = {}
        self.known_before = Organization.objects.exists()
        self.stage = RegistryStage().create()

    def prefilter(self, rows: list[DataRow]) -> list[DataRow]:
        """A row identical to the one that last wrote its organization (same cells, same columns)
        needs no parsing: it is unchanged. This makes re-importing a large file cheap."""
        if not self.known_before:
            return rows  # nothing was in the registry: no row can be unchanged
        match = self.match
        codes = [normalize_credit_code(raw_cell(match, row.cells, "credit_code") or "") for row in rows]
        known = value_of(
            Organization,
            "credit_code",
            "row_hash",
            list({code for code in codes if len(code) == 18}),
            where="row_hash IS NOT NULL",
        )
        if not known:
            return rows
        visible = (
            set(
                Organization.objects.restrict(self.ctx.actor, CHANGE)
                .filter(credit_code__in=list(known))
                .values_list("credit_code", flat=True)
            )
            if self.ctx.actor is not None
            else known
        )
        keep = []
        seen = self.seen
        hashes = iter(
            fingerprints(match, [row.cells for row, code in zip(rows, codes, strict=True) if code in visible])
        )
        for row, code in zip(rows, codes, strict=True):
            if code in visible and known[code] == next(hashes) and code not in seen:
                seen[code] = row.number
                self.report.unchanged += 1
            else:
                keep.append(row)
        return keep

    def parse_chunk(self, readers: RowReaders) -> list:
        keys = [c.key for c in rules.COLUMNS if c.key in self.match.columns]
        records, problems, warnings = self.parser.parse_block(readers.columns(keys))
        for i, (found, warned) in enumerate(zip(problems, warnings, strict=True)):
            if found or warned:
                r = readers[i]
                for key, message in found:
                    r.problem(key, message or f"“{r.header(key)}”不能为空，请填写")
                for key, message in warned:
                    r.warn(key, f"{message}{NOT_IMPORTED}")
        # A row imported with a warning is read again next time, and warns again: no row_hash.
        rows = readers.rows
        hashed = [
            i
            for i, (record, warned) in enumerate(zip(records, warnings, strict=True))
            if record is not None and not warned
        ]
        hashes = fingerprints(self.match, [rows[i].cells for i in hashed])
        for i, row_hash in zip(hashed, hashes, strict=True):
            records[i]["row_hash"] = row_hash
        return records

    def accept(self, readers: RowReaders, records: list) -> list:
        """A credit code repeated within the file: its first row is imported, the others not."""
        seen = self.seen
        rows = readers.rows
        refused = readers.refused()
        for i, record in enumerate(records):
            if record is None or i in refused:
                continue
            number = rows[i].number
            first = seen.setdefault(record["credit_code"], number)
            if first != number:
                readers[i].problem("credit_code", f"与第 {first} 行的统一社会信用代码重复，本行未导入")
                records[i] = None
        return records

    def write(self, records) -> None:
        """Work out what the chunk changes and stage it (nothing is written to the registry)."""
        plan = services.plan_records(
            [(row.number, record) for row, record in records],
            actor=self.ctx.actor,
            source=self.ctx.source,
            detail=self.ctx.filename,
            registry_empty=not self.known_before,
        )
        self.last_plan = plan  # what a subclass (the combined 摸排表) reads of the chunk
        result = plan.result
        self.report.created += result.created
        self.report.updated += result.updated
        self.report.unchanged += result.unchanged
        rows = {row.number: row for row, _ in records} if result.rejected else {}
        for number, column, message in result.rejected:
            header = self.match.headers.get(column) or self.spec.column(column).label
            self.report.reject(rows[number], [Problem(number, header, message)])
        self.stage.add(plan)

    def finish(self) -> None:
        self.stage.ready()

    def apply(self) -> None:
        self.stage.merge(self.ctx.batch, actor=self.ctx.actor, today=self.today)

    def discard(self) -> None:
        if self.stage is not None:
            self.stage.drop()
            self.stage = None


IMPORTERS = [OrganizationImporter]
