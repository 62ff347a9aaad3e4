"""The organizations sheet of `liangxin import_data` and the upload page."""

from __future__ import annotations

from django.utils import timezone

from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.registry import rules, services


class OrganizationImporter(SheetImporter):
    spec = rules.SPEC
    order = 10  # before the sheets that refer to organizations

    def start(self) -> None:
        self.lookups = rules.Lookups.load()
        self.today = timezone.localdate()
        self.seen: dict[str, int] = {}

    def parse(self, r: RowReader):
        record = rules.parse_row(r, self.lookups, today=self.today)
        if record is None:
            return None
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
