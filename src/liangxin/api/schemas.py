"""Shapes of the API's requests and answers (OpenAPI components)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema
from ninja.responses import codes_4xx
from pydantic import BaseModel


class FieldError(Schema):
    field: str = Field(description="字段名，如 credit_code")
    message: str = Field(description="与导入相同的中文说明")
    index: int | None = Field(None, description="批量请求中的第几条（从 0 开始）")
    credit_code: str | None = None


class Problem(Schema):
    """application/problem+json (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str = Field(description="中文说明")
    errors: list[FieldError] | None = None


# Every operation documents these: 4xx answers are problem documents.
ERRORS = {codes_4xx | frozenset({413, 422, 503}): Problem}

Scalar = str | int | float | bool | None


class OrganizationIn(BaseModel):
    """The import template's columns, under their field keys; values as a file or the form would
    give them (a name or code for 区划/行业/主管单位, 存续/注销 for the status …). A field left out
    is left unchanged on an existing organization.

    A plain pydantic model, not a ninja `Schema`: ninja's root validator (which reads Django
    objects' attributes, needless for a JSON body) cost ~0.3 ms per item, 1.4 s of a 5,000-item
    bulk request."""

    credit_code: str | None = Field(None, description="统一社会信用代码（18 位）")
    name: str | None = Field(None, description="组织名称")
    kind: str | None = Field(None, description="组织类别：非公企业/社会组织；空则按信用代码判断")
    region: str | None = Field(
        None, description="所属区划：本市县（市、区）或乡镇（街道）的名称或代码，或 市本级"
    )
    county: str | None = None
    township: str | None = None
    area: str | None = Field(None, description="所属园区/楼宇/商圈市场名称")
    industry: str | None = Field(None, description="所属行业：C、C39、3911 或门类名称")
    founded_on: str | None = Field(None, description="成立日期，如 2019-03-05")
    status: str | None = Field(None, description="登记状态：存续/在业/迁出/注销/吊销")
    employees: int | str | None = None
    party_members: int | str | None = None
    probationary_members: int | str | None = None
    above_scale: bool | str | None = None
    tags: list[str] | str | None = Field(None, description="重点标签")
    supervising_unit: str | None = Field(None, description="主管单位（成员单位名称）")
    address: str | None = None
    contact: str | None = None
    phone: str | None = None


class OrganizationOut(Schema):
    id: int
    credit_code: str
    name: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    county_code: str
    township_code: str
    area: str | None
    industry_section: str
    industry_division: str | None
    founded_on: datetime.date | None
    status: str
    status_label: str
    employees: int | None
    party_members: int
    probationary_members: int
    above_scale: bool
    tags: list[str]
    supervising_unit: str | None
    address: str
    contact: str = Field(description="按查看权限脱敏")
    phone: str = Field(description="按查看权限脱敏")
    updated_at: datetime.datetime


class OrganizationPage(Schema):
    items: list[OrganizationOut]
    next_cursor: str | None = Field(None, description="下一页的游标；为空表示已到最后一页")


class WriteResult(Schema):
    created: int
    updated: int
    unchanged: int
    warnings: list[FieldError] = []


class OrganizationWritten(WriteResult):
    organization: OrganizationOut


class BulkIn(Schema):
    items: list[OrganizationIn] = Field(description="最多 5000 条")
