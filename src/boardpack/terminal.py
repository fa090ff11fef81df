"""What boardpack prints is inert: data echoed in a message (a memo, a file name, an address) cannot
move the cursor, retitle the window, hide text or reorder it, because its control characters are
shown escaped.
"""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls (ESC, CR, BEL, backspace...) but newline and tab, DEL, and the
# bidirectional-text controls
# that can make a line read differently from its bytes ("Trojan Source")
_UNSAFE = [
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_ESCAPED = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in _UNSAFE}
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0 and C1, newline and tab included


def control_characters(text: str) -> list[str]:
    """The C0 and C1 control characters (NUL, CR, LF, ESC, DEL...) in `text`, as U+XXXX."""
    return [f"U+{ord(c):04X}" for c in CONTROL.findall(text)]


def inert(text: str) -> str:
    """`text` with every control character written as an escape (`\\x1b`), newlines and tabs kept.
    """
    return text.translate(_ESCAPED)


def console(stderr: bool = False):
    """A rich Console that escapes control characters in every string it prints (markup and emoji
    codes off: memos, paths and accounts such as Assets:Bank:... are shown as written)."""
    from rich.console import (
        Console,  # here: the readers of workspace data that use `inert` need no rich
    )

    class InertConsole(Console):
        def print(self, *objects: Any, **options: Any) -> None:
            super().print(*(inert(o) if isinstance(o, str) else o for o in objects), **options)

    return InertConsole(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=True)
