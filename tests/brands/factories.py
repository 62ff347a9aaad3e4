"""Brands for brand tests: registered and reported at a given moment (Asia/Shanghai)."""

from __future__ import annotations

import time_machine

from liangxin.brands import services
from liangxin.brands.models import Brand, Level, Stage
from tests.dispatch.factories import at, unit


def add_brand(campaign, unit_name, name, *, when="2022-06-10", stage=Stage.BUILDING, named_on=None):
    with time_machine.travel(f"{when} 10:00 +0800", tick=False):
        brand = Brand(campaign=campaign, name=name, level=Level.ENTERPRISE, unit=unit(unit_name), stage=stage)
        brand.named_on = named_on
        return services.save_brand(brand, actor=None)


def report(campaign, unit_name, when):
    return services.report_brands(campaign, unit(unit_name), actor=None, at=at(when))
