"""The roles of the platform. 三员分立: the three administrators share nothing."""

from django.db import models


class Role(models.TextChoices):
    OFFICE = "office", "工委办公室"
    MEMBER_UNIT = "member_unit", "成员单位"
    COUNTY = "county", "县（市、区）"
    TOWNSHIP = "township", "乡镇（街道）"
    PARK = "park", "园区"
    INSTRUCTOR = "instructor", "党建指导员"
    SYSTEM_ADMIN = "sysadmin", "系统管理员"
    SECURITY_ADMIN = "secadmin", "安全管理员"
    AUDIT_ADMIN = "auditadmin", "审计管理员"


ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles whose jurisdiction is a region subtree, and the region level each must be bound to.
REGION_ROLE_LEVELS = {Role.COUNTY: "county", Role.TOWNSHIP: "township"}
# Who may see and keep the reference data (regions, areas, member units).
REFERENCE_EDITORS = frozenset({Role.OFFICE, Role.SYSTEM_ADMIN})
