import re

from django.conf import settings
from django.contrib.auth.hashers import check_password
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


# Rows of a QWERTY keyboard (and the shifted digit row): runs along them are guessed first.
KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "!@#$%^&*()",
    "qazwsxedcrfvtgbyhnujmikolp",
)
ALPHABET = "abcdefghijklmnopqrstuvwxyz"


def _runs(text: str, length: int):
    for i in range(len(text) - length + 1):
        yield text[i : i + length]


class PatternValidator:
    """Refuses repeats and sequences that satisfy the complexity rule only on paper:
    ``Aaaaaaaaaa1`` (one character repeated), ``Qwerty123!`` (a keyboard row), ``Abcd1234!``
    (the alphabet, counting), each also backwards."""

    def __init__(self, run: int = 4):
        self.run = run

    def problem(self, password: str) -> str | None:
        text = password.lower()
        if re.search(r"(.)\1{" + str(self.run - 1) + ",}", text):
            return "不能包含连续重复的字符（如 aaaa、1111）"
        sequences = (*KEYBOARD_ROWS, ALPHABET)
        for run in _runs(text, self.run):
            for seq in sequences:
                if run in seq or run[::-1] in seq:
                    return f"不能包含键盘或字母、数字顺序（如 qwer、abcd、1234），“{run}”太容易被猜到"
        return None

    def validate(self, password: str, user=None) -> None:
        problem = self.problem(password)
        if problem:
            raise ValidationError("密码" + problem + "。", code="password_pattern")

    def get_help_text(self) -> str:
        return f"不能包含 {self.run} 个以上连续重复或按键盘、字母、数字顺序排列的字符。"


class HistoryValidator:
    """No reuse of the current password or the last LIANGXIN_PASSWORD_HISTORY ones."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        keep = settings.LIANGXIN_PASSWORD_HISTORY
        hashes = [user.password] if user.password else []
        hashes += list(user.password_history.values_list("password", flat=True)[:keep])
        for encoded in dict.fromkeys(hashes):
            if check_password(password, encoded):
                raise ValidationError(
                    f"不能使用当前密码或最近 {keep} 次用过的密码，请换一个新密码。", code="password_reused"
                )

    def get_help_text(self) -> str:
        return f"不能与最近 {settings.LIANGXIN_PASSWORD_HISTORY} 次用过的密码相同。"
