"""Where report templates run: plain data in, HTML out, within a time and a size budget.

A workspace template may come from anyone, so what it can reach is decided here, not trusted:
- it sees only the plain data `template_data` builds (dicts, lists, strings, numbers, Decimal,
  dates) and Jinja's own helpers (`loop`, `namespace`, `cycler`, `joiner`, macros);
- `a.b` and `a["b"]` look up a dict's key or a list's index, never an attribute: no method of any
  value can be reached, so no template can touch a file, a module or the network;
- the filters are an allow-list; those whose arguments could build a huge value are checked first;
- a string or list a template builds is at most `VALUE_LIMIT` long, a page at most `OUTPUT_LIMIT`,
  and a page renders in at most `TIME_LIMIT` seconds;
- `{% include %}` and `{% extends %}` load only files inside the templates folder, symlinks
  resolved.
"""

from __future__ import annotations

import contextlib
import posixpath
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, Undefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import FILTERS
from jinja2.loaders import split_template_path
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace

from boardpack.files import read_bytes

TIME_LIMIT = 10.0  # seconds a page may take to render
OUTPUT_LIMIT = 10_000_000  # characters in a rendered page
VALUE_LIMIT = 1_000_000  # characters (or items) in one string (or list) a template builds
TEMPLATE_BYTES = 1_000_000  # a template file: pages of markup, never megabytes
RUNTIME = (
    LoopContext,
    Macro,
    Namespace,
    Cycler,
    Joiner,
)  # Jinja's own helpers: their attributes are theirs
SIZED = (str, list, tuple)

# Filters a template may use. Left out: `format` (a "%999999999d" width), `center`, `indent`,
# `wordwrap` (a width), and `attr` (an attribute by name).
SAFE_FILTERS = (
    "abs",
    "batch",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "forceescape",
    "groupby",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "tojson",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "wordcount",
)


class TemplateLimit(SecurityError):
    """A template went past a time or size limit."""

    filename: str | None = None  # the page's template, when the limit is the page's own


def _size(value: Any) -> int:
    return len(value) if isinstance(value, SIZED) else 0


def checked(value: Any, what: str = "a value") -> Any:
    if _size(value) > VALUE_LIMIT:
        raise TemplateLimit(
            f"{what} of {_size(value):,} characters or items is over the limit of "
            f"{VALUE_LIMIT:,} a template may build"
        )
    return value


def _join(eval_ctx, value, d="", attribute=None):
    items = list(value)
    parts = (
        items if attribute is None else [eval_ctx.environment.getitem(i, attribute) for i in items]
    )
    if sum(_size(p) for p in parts) + len(d) * len(parts) > VALUE_LIMIT:
        raise TemplateLimit(
            f"join would build a string over the limit of {VALUE_LIMIT:,} characters"
        )
    return FILTERS["join"](eval_ctx, items, d, attribute)


def _replace(eval_ctx, s, old, new, count=None):
    text, old, new = str(s), str(old), str(new)
    hits = text.count(old) if count is None else min(text.count(old), max(count, 0))
    if len(text) + hits * (len(new) - len(old)) > VALUE_LIMIT:
        raise TemplateLimit(
            f"replace would build a string over the limit of {VALUE_LIMIT:,} characters"
        )
    return FILTERS["replace"](eval_ctx, s, old, new, count)


def _truncate(env, s, length=255, killwords=False, end="...", leeway=None):
    return FILTERS["truncate"](env, s, min(int(length), VALUE_LIMIT), killwords, end, leeway)


def _batch(value, linecount, fill_with=None):
    return FILTERS["batch"](value, max(1, min(int(linecount), VALUE_LIMIT)), fill_with)


# the guarded ones keep Jinja's own marks (environment, eval context) so Jinja passes what they need
GUARDED = {"join": _join, "replace": _replace, "truncate": _truncate, "batch": _batch}
for name, guard in GUARDED.items():
    if hasattr(FILTERS[name], "jinja_pass_arg"):
        guard.jinja_pass_arg = FILTERS[name].jinja_pass_arg


class _SizedConcat(CodeGenerator):
    """`a ~ b` built as usual, then held to the value limit like `+` and `*`."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked(")
        super().visit_Concat(node, frame)
        self.write(")")


class DataSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, narrowed to data: keys and indexes only, bounded values, a bounded page."""

    code_generator_class = _SizedConcat
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options):
        super().__init__(**options)
        self.filters = {name: GUARDED.get(name, FILTERS[name]) for name in SAFE_FILTERS}
        self.globals = {
            name: self.globals[name] for name in ("range", "dict", "cycler", "joiner", "namespace")
        }
        self.checked = checked

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        if isinstance(obj, Mapping) and not attribute.startswith("_"):
            return self.undefined(obj=obj, name=attribute)
        if isinstance(
            obj, (*RUNTIME, Undefined)
        ):  # an undefined name stays undefined: its error names it
            return super().getattr(obj, attribute)
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping):
            return (
                self.getattr(obj, argument)
                if isinstance(argument, str)
                else self.undefined(obj=obj)
            )
        if isinstance(obj, SIZED) and isinstance(argument, (int, slice)):
            try:
                return obj[argument]
            except IndexError:
                return self.undefined(obj=obj, name=argument)
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=argument)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return isinstance(obj, RUNTIME) and super().is_safe_attribute(obj, attr, value)

    def unsafe_undefined(self, obj: Any, attribute: str):
        return self.undefined(
            f"{type(obj).__name__} has no key {attribute!r}: templates see plain data, so "
            "look up keys (doc.title, m.value) and use filters (x|upper), not methods or "
            "attributes",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError(
                "% formatting of text is not available in templates: use filters (value, cell)"
            )
        if operator == "**" and isinstance(right, int) and abs(right) > 64 and abs(left) > 1:
            raise TemplateLimit(f"{left!r} ** {right} is over the limit a template may compute")
        if operator == "*":
            sized, count = (left, right) if _size(left) else (right, left)
            if isinstance(count, int) and _size(sized) * count > VALUE_LIMIT:
                raise TemplateLimit(
                    f"* would build a value of {_size(sized) * count:,} characters or items, "
                    f"over the limit of {VALUE_LIMIT:,}"
                )
        if operator == "+" and _size(left) + _size(right) > VALUE_LIMIT:
            raise TemplateLimit(
                f"+ would build a value over the limit of {VALUE_LIMIT:,} characters or items"
            )
        return super().call_binop(context, operator, left, right)


class FolderLoader(FileSystemLoader):
    """A workspace's templates folder: a template that resolves outside it (through `..` or a
    symlink) is refused, so `{% include %}` cannot read any other file."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.folder = folder.resolve()

    def get_source(self, environment, template: str):
        """The template's text, once it is known to be a regular file of the folder, not too large:
        checked before it is read, so no other file is ever opened."""
        candidate = Path(posixpath.join(self.searchpath[0], *split_template_path(template)))
        if candidate.exists() or candidate.is_symlink():
            # not TemplateNotFound: the loaders after this one must not be asked instead
            if not candidate.resolve().is_relative_to(self.folder):
                raise SecurityError(
                    f"{template} resolves outside the templates folder {self.folder}, which "
                    "templates may not leave"
                )
            if not candidate.is_dir():
                read_bytes(candidate, f"the template {template}", TEMPLATE_BYTES)
        return super().get_source(environment, template)


class Budget:
    """The time a page may take: a tracer on the template's own frames, checked every few hundred
    lines, so an endless loop stops with an error instead of holding the run."""

    EVERY = 256  # line events between looks at the clock

    def __init__(self, environment: DataSandbox, seconds: float):
        self.environment, self.deadline, self.count = environment, time.monotonic() + seconds, 0
        self.seconds = seconds

    def __enter__(self) -> Budget:
        self.previous = sys.gettrace()
        sys.settrace(self.on_call)
        return self

    def __exit__(self, *exc) -> None:
        sys.settrace(self.previous)

    def on_call(self, frame, event, arg):
        return self.on_line if frame.f_globals.get("environment") is self.environment else None

    def on_line(self, frame, event, arg):
        self.count += 1
        if self.count % self.EVERY == 0 and time.monotonic() > self.deadline:
            raise TemplateLimit(
                f"rendering took over {self.seconds:g} seconds, the limit for a page"
            )
        return self.on_line


def render_bounded(
    environment: DataSandbox, template_name: str, context: dict, timed: bool = True
) -> str:
    """The page, or `TemplateLimit` once it passes the time or the output limit. `timed` False
    skips the clock's tracer (a few times the rendering's cost) for boardpack's own templates,
    which no workspace wrote."""
    template = environment.get_template(template_name)
    chunks, size = [], 0
    with Budget(environment, TIME_LIMIT) if timed else contextlib.nullcontext():
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > OUTPUT_LIMIT:
                limit = TemplateLimit(
                    f"the page passed {OUTPUT_LIMIT:,} characters, the limit for a page"
                )
                limit.filename = template.filename
                raise limit
            chunks.append(chunk)
    return "".join(chunks)
