"""A management command run with its output on a pseudo-terminal, as an operator sees it."""

import os
import pty

from django.core.management import call_command


def in_a_terminal(command: str, *args, **options) -> str:
    """What `liangxin <command> <args>` writes to a terminal (progress bars included)."""
    leader, follower = pty.openpty()
    with open(follower, "w", encoding="utf-8", closefd=True) as terminal:
        call_command(command, *args, stdout=terminal, **options)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return output.decode()


def full_bar(text: str) -> str:
    """The last bar drawn, full: "[####…] 已完成 …（100%），用时 …"."""
    lines = [part for part in text.replace("\r\n", "\n").split("\r") if part.startswith("[")]
    assert lines, f"no bar in {text!r}"
    last = lines[-1].split("\n")[0]
    assert last.startswith("[" + "#" * 30 + "]") and "（100%）" in last, last
    return last
