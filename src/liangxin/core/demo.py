"""Deterministic demo data for the base: functional areas and one user per role and county.

Other apps add their own demo data in a `demo.py` module with a `load(city, out)` function;
`liangxin demo` runs them in the order of INSTALLED_APPS.
"""

from __future__ import annotations

from django.db import transaction

from liangxin.accounts.models import User
from liangxin.core.models import Area, AreaKind, MemberUnit, MemberUnitKind, Region, RegionLevel
from liangxin.core.roles import Role

DEMO_PASSWORD = "Liangxin@2026"  # noqa: S105  (demo only: never use on a real installation)

UNIT_USERNAMES = {
    "市场监管局": "scjg",
    "民政局": "minzheng",
    "交通运输局": "jiaotong",
    "邮政管理局": "youzheng",
    "司法局": "sifa",
    "财政局": "caizheng",
    "税务局": "shuiwu",
    "工商联": "gongshanglian",
    "商务局": "shangwu",
    "工信局": "gongxin",
    "科技局": "keji",
    "网信办": "wangxin",
}


def demo_areas(city: Region) -> list[tuple[str, str, Region]]:
    counties = list(Region.objects.filter(parent=city, level=RegionLevel.COUNTY).order_by("code"))
    first_township = Region.objects.filter(parent=counties[0]).order_by("code").first() or counties[0]
    return [
        (f"{counties[0].name}工业园区", AreaKind.PARK, counties[0]),
        (
            f"{counties[min(2, len(counties) - 1)].name}高新技术产业园区",
            AreaKind.PARK,
            counties[min(2, len(counties) - 1)],
        ),
        (f"{first_township.name}商务楼宇", AreaKind.BUILDING, first_township),
        (f"{first_township.name}商贸市场", AreaKind.MARKET, first_township),
    ]


def demo_users(city: Region) -> list[dict]:
    """Every demo login: username, role, jurisdiction, a description."""
    users = [
        {"username": "office", "role": Role.OFFICE, "full_name": "工委办公室（演示）"},
        {"username": "sysadmin", "role": Role.SYSTEM_ADMIN, "full_name": "系统管理员（演示）"},
        {"username": "secadmin", "role": Role.SECURITY_ADMIN, "full_name": "安全管理员（演示）"},
        {"username": "auditadmin", "role": Role.AUDIT_ADMIN, "full_name": "审计管理员（演示）"},
    ]
    units = {u.name: u for u in MemberUnit.objects.filter(kind=MemberUnitKind.DEPARTMENT)}
    for name, username in UNIT_USERNAMES.items():
        if name in units:
            users.append(
                {
                    "username": username,
                    "role": Role.MEMBER_UNIT,
                    "member_unit": units[name],
                    "full_name": f"{name}（演示）",
                }
            )
    counties = list(Region.objects.filter(parent=city, level=RegionLevel.COUNTY).order_by("code"))
    for county in counties:
        users.append(
            {
                "username": f"qx{county.code}",
                "role": Role.COUNTY,
                "region": county,
                "full_name": f"{county.name}委组织部（演示）",
            }
        )
    township = Region.objects.filter(parent=counties[0]).order_by("code").first()
    if township:
        users.append(
            {
                "username": f"xz{township.code}",
                "role": Role.TOWNSHIP,
                "region": township,
                "full_name": f"{township.name}（演示）",
            }
        )
        users.append(
            {
                "username": "zhidaoyuan",
                "role": Role.INSTRUCTOR,
                "region": counties[0],
                "full_name": "党建指导员（演示）",
            }
        )
    park = Area.objects.filter(kind=AreaKind.PARK).order_by("pk").first()
    if park:
        users.append(
            {"username": "yuanqu", "role": Role.PARK, "area": park, "full_name": f"{park.name}（演示）"}
        )
    return users


@transaction.atomic
def load(city: Region, out) -> None:
    created_areas = 0
    for name, kind, region in demo_areas(city):
        area, created = Area.objects.get_or_create(name=name, defaults={"kind": kind, "region": region})
        if created:
            area.copy_ancestor_codes(region)
            area.save()
            created_areas += 1
    created_users = 0
    existing = set(User.objects.values_list("username", flat=True))
    for spec in demo_users(city):
        if spec["username"] in existing:
            continue
        user = User(**spec)
        user.set_password(DEMO_PASSWORD)
        user.save()
        created_users += 1
    out.write(f"基础演示数据：新增功能区 {created_areas} 个，新增演示用户 {created_users} 个")


def logins_text(city: Region) -> str:
    lines = [
        "演示账号（仅供演示，请勿用于正式环境），密码均为 " + DEMO_PASSWORD + "：",
    ]
    present = set(User.objects.values_list("username", flat=True))
    for spec in demo_users(city):
        if spec["username"] not in present:
            continue
        role = Role(spec["role"]).label
        lines.append(f"  {spec['username']:<16} {role:<10} {spec.get('full_name', '')}")
    return "\n".join(lines)
