"""The organizations sheet of `liangxin import_data` and the upload page."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from liangxin.core.bulk import DeferredIndexes, select_in
from liangxin.core.importing import Problem, RowReader, SheetImporter
from liangxin.core.tabular import normalize_credit_code
from liangxin.registry import rules, services
from liangxin.registry.models import FollowUp, Organization, OrganizationTag

# A load that has created this many organizations, and at least a quarter as many as the registry
# held before it, goes on with the tables' secondary indexes dropped and builds them once at the
# end: building an index over a million rows costs a fraction of updating it row by row.
DEFER_INDEXES_AFTER = 20_000
DEFER_INDEXES_FILE_BYTES = 8 << 20  # a file this large holds more rows to come (~40,000 and up)


class OrganizationImporter(SheetImporter):
    spec = rules.SPEC
    order = 10  # before the sheets that refer to organizations

    def start(self) -> None:
        self.lookups = rules.Lookups.load()
        self.today = timezone.localdate()
        self.parser = rules.RowParser(self.lookups, today=self.today)
        self.seen: dict[str, int] = {}
        self.known_before = Organization.objects.count()
        self.indexes = DeferredIndexes(Organization, FollowUp, OrganizationTag)

    def prefilter(self, readers: list[RowReader]) -> list[RowReader]:
        """A row identical to the one that last wrote its organization (same cells, same columns)
        needs no parsing: it is unchanged. This makes re-importing a large file cheap."""
        if not self.known_before:
            return readers  # nothing was in the registry: no row can be unchanged
        codes = {}
        for reader in readers:
            code = normalize_credit_code(reader.raw("credit_code") or "")
            if len(code) == 18:
                codes[reader] = code
        known = {
            row["credit_code"]: row["row_hash"]
            for row in select_in(
                Organization,
                ("credit_code", "row_hash"),
                "credit_code",
                list(set(codes.values())),
                where="row_hash IS NOT NULL",
            )
        }
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

    @property
    def parallel(self) -> bool:  # type: ignore[override]
        """A second process may read and parse (parse_chunk reads only the lookups loaded by
        start()) when the registry was empty: a first load of a large file. Into a registry
        that holds organizations most rows of a large file are usually unchanged and skipped
        before parsing (`prefilter`, which needs the database), so one process is faster."""
        return not self.known_before

    def parse_chunk(self, readers: list[RowReader]) -> list:
        keys = [c.key for c in rules.COLUMNS if c.key in self.match.columns]
        records, problems = self.parser.parse_block({k: RowReader.column(readers, k) for k in keys})
        for r, record, found in zip(readers, records, problems, strict=True):
            for key, message in found:
                r.problem(key, message or f"“{r.header(key)}”不能为空，请填写")
            if record is not None:
                record["row_hash"] = r.fingerprint()
        return records

    # Reference objects travel between the processes as keys into the same lookups.
    REFERENCES = (
        ("region", "regions_by_code", "code"),
        ("area", "areas", "name"),
        ("supervising_unit", "units", "name"),
    )

    def pack(self, records: list) -> list:
        for record in records:
            if record is not None:
                for field, _, attr in self.REFERENCES:
                    obj = record.get(field)
                    if obj is not None:
                        record[field] = getattr(obj, attr)
        return records

    def unpack(self, records: list) -> list:
        tables = [(field, getattr(self.lookups, table)) for field, table, _ in self.REFERENCES]
        for record in records:
            if record is not None:
                for field, table in tables:
                    key = record.get(field)
                    if key is not None:
                        record[field] = table[key]
        return records

    def accept(self, r: RowReader, record: dict):
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
            followups_later=True,
            # SQLite: the import holds the only write lock, so an empty registry stays empty
            # but for this file's rows, whose codes are unique within it.
            all_new=not self.known_before and connection.vendor == "sqlite",
        )
        self.report.created += result.created
        self.report.updated += result.updated
        self.report.unchanged += result.unchanged
        for number, column, message in result.rejected:
            header = self.match.headers.get(column) or self.spec.column(column).label
            self.report.reject(rows[number], [Problem(number, header, message)])
        created = self.report.created
        if (
            created >= DEFER_INDEXES_AFTER
            and created * 4 >= self.known_before
            and self.ctx.size >= DEFER_INDEXES_FILE_BYTES
        ):
            self.indexes.drop()

    def finish(self) -> None:
        self.indexes.restore()
        if self.report.created:
            services.open_followups_for_batch(self.ctx.batch, today=self.today)


IMPORTERS = [OrganizationImporter]
