"""What a workspace template may spend on a page: time, the size of each value, and all it builds.

The page's clock is a watchdog thread: at the deadline it raises `PageTimeout` in the rendering
thread itself (CPython's per-thread asynchronous exception), so a template is stopped wherever it
is — in its own loop, or inside a filter's — with no tracer slowing every line. Sizes are counted
where values are made: each filter's result, each operator's, each `~`, every buffer a `{% set %}`
block, macro or filter block fills. A value is at most `VALUE_LIMIT` long (characters, or items),
and all that one page builds is at most `BUILT_LIMIT`, so memory is bounded even by a template
that builds and drops large values in a loop. Before a value is turned into text (`|string`,
`|tojson`, `~`, `{{ x }}`), its whole depth is measured, so a list of a thousand references to one
long string is refused before a gigabyte of text is made of it.

Outside a page (boardpack's own templates, or Jinja folding constants while compiling) there is no
budget and every check passes.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Mapping
from contextvars import ContextVar
from types import CodeType
from typing import Any

from jinja2.sandbox import SecurityError

TIME_LIMIT = 10.0  # seconds a page may take to render
OUTPUT_LIMIT = 10_000_000  # characters in a rendered page
VALUE_LIMIT = 1_000_000  # characters (or items) in one value a template builds
BUILT_LIMIT = 50_000_000  # characters (or items) all the values of one page add up to
INT_BITS = 100_000  # an integer a template computes: some thirty thousand digits
SIZED = (str, list, tuple)


class TemplateLimit(SecurityError):
    """A template went past a time or size limit."""

    filename: str | None = None  # the page's template, when the limit is the page's own


class PageTimeout(BaseException):
    """Raised in the rendering thread by the watchdog; not an `Exception`, so that no `except
    Exception` on the way can swallow it."""


class PageBudget:
    """One page's render: the deadline's watchdog and what has been built so far. The watchdog
    raises only while the thread is still inside `page` (its frames are looked at first), so a page
    that ends as the deadline passes is not interrupted after it has returned."""

    def __init__(self, page: CodeType, seconds: float = TIME_LIMIT):
        self.page, self.seconds, self.built = page, seconds, 0
        self.thread = threading.get_ident()
        self.done, self.lock, self.fired = threading.Event(), threading.Lock(), False

    def __enter__(self) -> PageBudget:
        self.token = current.set(self)
        self.watchdog = threading.Thread(target=self.watch, name="page-deadline", daemon=True)
        self.watchdog.start()
        return self

    def __exit__(self, *exc) -> None:
        while True:  # a timeout that arrives while settling is settled too
            try:
                self.settle()
                break
            except PageTimeout:
                continue
        current.reset(self.token)

    def watch(self) -> None:
        for wait in (self.seconds, 0.1, 0.1):  # again, should one be swallowed (in a __del__)
            if self.done.wait(wait):
                return
            with self.lock:
                if self.done.is_set() or not self.rendering():
                    return
                raise_in(self.thread, PageTimeout)
                self.fired = True

    def rendering(self) -> bool:
        frame = sys._current_frames().get(self.thread)
        while frame is not None and frame.f_code is not self.page:
            frame = frame.f_back
        return frame is not None

    def settle(self) -> None:
        """No timeout reaches the thread once the page is done: any still pending is withdrawn."""
        with self.lock:
            self.done.set()
            if self.fired:
                raise_in(self.thread, None)
        self.watchdog.join()

    def spend(self, size: int) -> None:
        self.built += size
        if self.built > BUILT_LIMIT:
            raise TemplateLimit(
                f"the page built over {BUILT_LIMIT:,} characters or items in all, the limit for a "
                "page (a value made again and again in a loop?)"
            )


current: ContextVar[PageBudget | None] = ContextVar("page_budget", default=None)


def raise_in(thread: int, exception: type[BaseException] | None) -> None:
    """`exception` raised in `thread` at its next bytecode (None: the pending one withdrawn)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread), ctypes.py_object(exception) if exception else None
    )


def size(value: Any) -> int:
    """A value's own length: characters of a string, items of a list (not what they hold)."""
    return len(value) if isinstance(value, SIZED) else 0


def depth_size(value: Any, limit: int = VALUE_LIMIT) -> int:
    """What the value becomes as text, near enough: every string, item and key it holds, all the way
    down; counting stops once past `limit`."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple)):
            total += len(item) + 1
            pending.extend(item)
        elif isinstance(item, Mapping):
            total += len(item) + 1
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            total += 1
    return total


def checked(value: Any, what: str = "a value") -> Any:
    """A value a template made: within the value limit, and counted against the page's."""
    budget = current.get()
    if budget is None:
        return value
    if size(value) > VALUE_LIMIT:
        raise TemplateLimit(
            f"{what} of {size(value):,} characters or items is over the limit of "
            f"{VALUE_LIMIT:,} a template may build"
        )
    budget.spend(size(value))
    return value


def as_text(value: Any, what: str) -> Any:
    """A value about to be turned into text: refused when the text would pass the value limit."""
    if current.get() is None or isinstance(value, str) or not isinstance(value, (*SIZED, Mapping)):
        return value
    if (made := depth_size(value)) > VALUE_LIMIT:
        raise TemplateLimit(
            f"{what} would make text of over {VALUE_LIMIT:,} characters (a value holding "
            f"{made:,} or more), over the limit a template may build"
        )
    return value


def checked_int(bits: int, what: str) -> None:
    if current.get() is not None and bits > INT_BITS:
        raise TemplateLimit(f"{what} would be a number of over {INT_BITS:,} bits")


class PageBuffer(list):
    """What a `{% set %}` block, a macro or a filter block collects (text, a page's worth at most),
    each piece counted as it is added."""

    total = 0

    def append(self, piece: Any) -> None:
        self.total = counted_text(self.total, piece)
        super().append(piece)

    def extend(self, pieces) -> None:
        for piece in pieces:
            self.append(piece)


def counted_text(total: int, piece: Any) -> int:
    budget = current.get()
    if budget is None or not isinstance(piece, str):
        return total
    total += len(piece)
    if total > OUTPUT_LIMIT:
        raise TemplateLimit(
            f"a block's text passed {OUTPUT_LIMIT:,} characters, the limit for a page"
        )
    budget.spend(len(piece))
    return total


def bounded_join(pieces) -> str:
    """`"".join`, counting as it goes: a block's pieces (which may come from a generator) are
    refused once they pass a page's worth, before they are all held."""
    parts, total = [], 0
    for piece in pieces:
        total = counted_text(total, piece)
        parts.append(piece)
    return "".join(parts)
