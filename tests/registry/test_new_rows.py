"""A new organization's row is built two ways: as a dictionary (the form, the audit) and straight
into an INSERT tuple (a large import). They must hold the same values for every shape of record."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from liangxin.core.models import Area, MemberUnit, Region
from liangxin.registry.services import NEW_COLUMNS, STAGED_NEW_COLUMNS, _new_dict, _NewRows
from tests.factories import make_area
from tests.registry.factories import credit_code


def records():
    township = Region.objects.get(code="360802001")
    county = Region.objects.get(code="360803")
    area = Area.objects.first() or make_area("古南商务楼宇", "360802001", kind="building")
    unit = MemberUnit.objects.order_by("pk").first()
    assert unit is not None  # the city's member units are set up
    minimal = {"credit_code": credit_code(serial=1), "name": "只填了必填项的公司", "region": county}
    full = {
        "credit_code": credit_code(serial=2),
        "name": "样样都填的公司",
        "region": township,
        "kind": "enterprise",
        "area": area,
        "industry": ("39", "C", "计算机、通信和其他电子设备制造业"),
        "founded_on": datetime.date(2019, 3, 5),
        "status": "operating",
        "employees": 120,
        "party_members": 5,
        "probationary_members": 1,
        "above_scale": True,
        "tags": ("快递",),
        "supervising_unit": unit,
        "address": "吉安市某路1号",
        "contact": "张先生",
        "phone": "13900000000",
        "row_hash": -42,
    }
    empty_cells = {**minimal, "credit_code": credit_code(serial=3), "employees": None, "area": None,
                   "industry": (None, "", ""), "supervising_unit": None, "founded_on": None}  # fmt: skip
    return [minimal, full, empty_cells]


@pytest.mark.parametrize("unit_default", [None, "first unit"])
def test_the_insert_tuple_holds_the_values_of_the_dictionary(city, unit_default):
    unit_id = MemberUnit.objects.order_by("pk").values_list("pk", flat=True).first() if unit_default else None
    now = timezone.now()
    build = _NewRows(unit_id, now, 7)
    ops = connection.ops
    for record in records():
        values = _new_dict(record, unit_id)
        expected = tuple(values[c] for c in NEW_COLUMNS[:-3])
        expected = tuple(
            ops.adapt_datefield_value(v) if c == "founded_on" else v
            for c, v in zip(NEW_COLUMNS[:-3], expected, strict=True)
        )
        stamp = ops.adapt_datetimefield_value(now)
        staged = build(record)
        assert build.full(staged) == (*expected, stamp, stamp, 7), record["name"]
        # what an import stages: the same values, without those its merge fills in
        assert staged == tuple(
            v for c, v in zip(NEW_COLUMNS, expected, strict=False) if c in STAGED_NEW_COLUMNS
        )


def test_an_import_into_an_empty_registry_tags_and_follows_up_exactly_its_own_rows(city, tmp_path):
    """On SQLite the new rows' ids are taken from their order, not looked up: each organization
    must still get its own tags and one follow-up."""
    import csv

    from liangxin.core.importing import ImportContext, run_import
    from liangxin.registry.models import FollowUp, Organization

    path = tmp_path / "台账.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["统一社会信用代码", "组织名称", "乡镇（街道）", "重点标签"])
        for i in range(1, 2501):  # more than one chunk
            writer.writerow(
                [credit_code(serial=i), f"公司{i}", "习溪桥街道", f"标签{i % 7}" if i % 3 else ""]
            )
    report = run_import(path, ImportContext(actor=None, filename="台账.csv", source="command"))
    assert report.sheets[0].created == 2500
    tagged = {o.name: [t.name for t in o.tags.all()] for o in Organization.objects.prefetch_related("tags")}
    assert all(tagged[f"公司{i}"] == ([f"标签{i % 7}"] if i % 3 else []) for i in range(1, 2501))
    assert FollowUp.objects.count() == 2500
    assert FollowUp.objects.values("organization").distinct().count() == 2500
