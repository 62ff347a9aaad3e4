"""The organizations sheet of `liangxin import_data` and the upload page."""

from __future__ import annotations

from django.utils import timezone

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.tabular import normalize_credit_code
from liangxin.registry import rules, services
from liangxin.registry.models import Organization


class OrganizationImporter(SheetImporter):
    spec = rules.SPEC
    order = 10  # before the sheets that refer to organizations

    def start(self) -> None:
        self.lookups = rules.Lookups.load()
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}

    def prefilter(self, readers: list[RowReader]) -> list[RowReader]:
        """A row identical to the one that last wrote its organization (same cells, same columns)
        needs no parsing: it is unchanged. This makes re-importing a large file cheap."""
        codes = {}
        for reader in readers:
            code = normalize_credit_code(reader.raw("credit_code") or "")
            if len(code) == 18:
                codes[reader] = code
        known = dict(
            Organization.objects.filter(
                credit_code__in=set(codes.values()), row_hash__isnull=False
            ).values_list("credit_code", "row_hash")
        )
        if not known:
            return readers
        visible = (
            set(
                Organization.objects.visible_to(self.ctx.actor)
                .filter(credit_code__in=list(known))
                .values_list("credit_code", flat=True)
            )
            if self.ctx.actor is not None
            else set(known)
        )
        keep = []
        for reader in readers:
            code = codes.get(reader)
            if code in visible and code not in self.seen and known[code] == reader.fingerprint():
                self.seen[code] = reader.row.number
                self.report.unchanged += 1
            else:
                keep.append(reader)
        return keep

    def parse(self, r: RowReader):
        record = rules.parse_row(r, self.lookups, today=self.today)
        if record is None:
            return None
        record["row_hash"] = r.fingerprint()
        first = self.seen.get(record["credit_code"])
        if first is not None:
            r.problem("credit_code", f"与第 {first} 行的统一社会信用代码重复，本行未导入")
            return None
        self.seen[record["credit_code"]] = r.row.number
        return record

    def write(self, records) -> None:
        rows = {row.number: row for row, _ in records}
        result = services.apply_records(
            [(row.number, record) for row, record in records],
            actor=self.ctx.actor,
            batch=self.ctx.batch,
            source=self.ctx.source,
            today=self.today,
        )
        self.report.created += result.created
        self.report.updated += result.updated
        self.report.unchanged += result.unchanged
        for number, column, message in result.rejected:
            header = self.match.headers.get(column) or self.spec.column(column).label
            self.report.reject(rows[number], [Problem(number, header, message)])


IMPORTERS = [OrganizationImporter]
