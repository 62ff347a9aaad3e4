"""Small explicit factories: each test builds the rows it talks about."""

from liangxin.accounts.models import User
from liangxin.core.models import Area, AreaKind, MemberUnit, Region

PASSWORD = "Test@Pass2026"


def make_user(
    username: str,
    *,
    role: str,
    region: str | None = None,
    area: Area | None = None,
    member_unit: str | None = None,
    **fields,
) -> User:
    user = User(username=username, role=role, **fields)
    if region:
        user.region = Region.objects.get(code=region)
    if area:
        user.area = area
    if member_unit:
        user.member_unit = MemberUnit.objects.get(name=member_unit)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_area(name: str, region_code: str, kind: str = AreaKind.PARK) -> Area:
    region = Region.objects.get(code=region_code)
    area = Area(name=name, kind=kind, region=region)
    area.copy_ancestor_codes(region)
    area.save()
    return area


def fill_template(response, path, rows: list[list]) -> str:
    """A downloaded import template with `rows` typed under its header row (first sheet), saved
    to `path` as a clerk would save it; its 填表说明 sheet is kept."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else row)
    book.save(path)
    return str(path)
