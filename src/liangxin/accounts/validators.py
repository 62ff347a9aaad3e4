import re

from django.core.exceptions import ValidationError


class ComplexityValidator:
    """等保2.0: a password mixes at least three of upper case, lower case, digits and symbols."""

    classes = (
        (re.compile(r"[A-Z]"), "大写字母"),
        (re.compile(r"[a-z]"), "小写字母"),
        (re.compile(r"[0-9]"), "数字"),
        (re.compile(r"[^A-Za-z0-9]"), "符号"),
    )

    def validate(self, password: str, user=None) -> None:
        present = sum(1 for pattern, _ in self.classes if pattern.search(password))
        if present < 3:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return "密码须同时包含大写字母、小写字母、数字、符号中的至少三类。"
