"""A management command run with its output on a pseudo-terminal, as an operator sees it."""

import os
import pty

from django.core.management import CommandError, call_command


def in_a_terminal(command: str, *args, **options) -> str:
    """What `liangxin <command> <args>` writes to a terminal (progress bars included)."""
    text, refused = _run(command, args, options)
    if refused is not None:
        raise refused
    return text


def refused_in_a_terminal(command: str, *args, **options) -> tuple[str, CommandError]:
    """What a command that ends with an error wrote to the terminal before it, and the error."""
    text, refused = _run(command, args, options)
    assert refused is not None, f"{command} did not fail: {text!r}"
    return text, refused


def _run(command: str, args, options) -> tuple[str, CommandError | None]:
    leader, follower = pty.openpty()
    refused = None
    with open(follower, "w", encoding="utf-8", closefd=True) as terminal:
        try:
            call_command(command, *args, stdout=terminal, **options)
        except CommandError as error:
            refused = error
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
    return output.decode(), refused


def full_bar(text: str) -> str:
    """The last bar drawn, full: "[####…] 已完成 …（100%），用时 …"."""
    lines = [part for part in text.replace("\r\n", "\n").split("\r") if part.startswith("[")]
    assert lines, f"no bar in {text!r}"
    last = lines[-1].split("\n")[0]
    assert last.startswith("[" + "#" * 30 + "]") and "（100%）" in last, last
    return last
