"""Where report templates run: plain data in, HTML out, within a time and a size budget.

A workspace template may come from anyone, so what it can reach is decided here, not trusted:
- it sees only the plain data `template_data` builds (dicts, lists, strings, numbers, Decimal,
  dates) and Jinja's own helpers (`loop`, `namespace`, `cycler`, `joiner`, macros);
- `a.b` and `a["b"]` look up a dict's key or a list's index, never an attribute: no method of any
  value can be reached, so no template can touch a file, a module or the network;
- the filters are an allow-list, each run through `guarded`: what it makes is counted, and what it
  would turn into text is measured first;
- every value a template builds, every block it fills and the page itself are held to the budget of
  `render.budget` (sizes, everything built, and a deadline that stops the page wherever it is);
- `{% include %}` and `{% extends %}` load only regular files inside the templates folder, symlinks
  resolved, checked before they are read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, Undefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.debug import rewrite_traceback_stack
from jinja2.filters import FILTERS
from jinja2.loaders import split_template_path
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Cycler, Joiner, Namespace

from boardpack.files import read_bytes
from boardpack.render import budget
from boardpack.render.budget import (
    SIZED,
    VALUE_LIMIT,
    PageBudget,
    PageBuffer,
    PageTimeout,
    TemplateLimit,
    as_text,
    bounded_join,
    checked,
    checked_int,
    size,
)

TEMPLATE_BYTES = 1_000_000  # a template file: pages of markup, never megabytes
# Jinja's own helpers: their attributes are theirs
RUNTIME = (
    LoopContext,
    Macro,
    Namespace,
    Cycler,
    Joiner,
)

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
# The filters that turn what they are given into text: it is measured, all the way down, first.
TO_TEXT = {
    "capitalize",
    "e",
    "escape",
    "forceescape",
    "join",
    "lower",
    "replace",
    "safe",
    "string",
    "striptags",
    "title",
    "tojson",
    "trim",
    "truncate",
    "upper",
    "urlencode",
    "wordcount",
}


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


def _slice(eval_ctx, value, slices, fill_with=None):
    checked_size(int(slices), "slice")  # each part is a list, even an empty one
    return FILTERS["slice"](eval_ctx, value, slices, fill_with)


def _sum(environment, iterable, attribute=None, start=0):
    """Jinja's `sum`, but lists are joined once (Python's `sum` copies the total at every step, so
    `sum(start=[])` over many lists is quadratic), their length checked first."""
    items = list(iterable)
    if attribute is not None:
        items = [environment.getitem(i, attribute) for i in items]
    if isinstance(start, (list, tuple)) and all(isinstance(i, type(start)) for i in items):
        total = len(start) + sum(len(i) for i in items)
        checked_size(total, "sum")
        return type(start)(chain(start, *items))
    return FILTERS["sum"](environment, items, start=start)


def checked_size(total: int, what: str) -> None:
    if total > VALUE_LIMIT:
        raise TemplateLimit(
            f"{what} would build a value of {total:,} items, over the limit of {VALUE_LIMIT:,}"
        )


# the replacements keep Jinja's own marks (environment, eval context): Jinja passes what they need
REPLACED = {
    "replace": _replace,
    "truncate": _truncate,
    "batch": _batch,
    "slice": _slice,
    "sum": _sum,
}
for name, replacement in REPLACED.items():
    if hasattr(FILTERS[name], "jinja_pass_arg"):
        replacement.jinja_pass_arg = FILTERS[name].jinja_pass_arg


def guarded(name: str, function):
    """A filter held to the page's budget: what it would turn into text measured first (a generator
    of values taken into a list, so that it can be), what it makes counted."""
    passes = hasattr(function, "jinja_pass_arg")
    at = 1 if passes else 0

    def run(*args, **kwargs):
        if name in TO_TEXT and len(args) > at:
            value = args[at]
            if isinstance(value, Iterator):
                value = list(value)
                args = (*args[:at], value, *args[at + 1 :])
            as_text(value, f"|{name}")
        return checked(function(*args, **kwargs), f"|{name}")

    if passes:
        run.jinja_pass_arg = function.jinja_pass_arg
    run.__name__ = function.__name__
    return run


class _Budgeted(CodeGenerator):
    """Code that keeps to the page's budget: `a ~ b` measured as it is joined, and every block's
    buffer a `PageBuffer`."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.joined({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.page_buffer()")


def joined(join, values: tuple) -> str:
    """`a ~ b ~ ...`: each part measured as text before any is joined."""
    total = 0
    for value in values:
        total += size(value) if isinstance(value, str) else len(str(as_text(value, "~")))
        if total > VALUE_LIMIT:
            raise TemplateLimit(
                f"~ would build a string over the limit of {VALUE_LIMIT:,} characters"
            )
    return checked(join(values), "~")


class DataSandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, narrowed to data: keys and indexes only, bounded values, a bounded page."""

    code_generator_class = _Budgeted
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options):
        # `{{ x }}`: what a value becomes as text is measured before it is made
        super().__init__(finalize=lambda value: as_text(value, "{{ }}"), **options)
        self.filters = {
            name: guarded(name, REPLACED.get(name, FILTERS[name])) for name in SAFE_FILTERS
        }
        self.globals = {
            name: self.globals[name] for name in ("range", "dict", "cycler", "joiner", "namespace")
        }
        self.concat = bounded_join  # blocks, macros and `self.block()` join through it
        self.page_buffer, self.joined = PageBuffer, joined

    def add_filters(self, **filters) -> None:
        """boardpack's own filters (value, cell, change), guarded like the rest."""
        self.filters.update({name: guarded(name, f) for name, f in filters.items()})

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict or isinstance(obj, Mapping):  # plain data: nearly always a dict
            if attribute in obj:
                return obj[attribute]
            if not attribute.startswith("_"):
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
        integers = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and integers and abs(left) > 1 and right > 0:
            checked_int(left.bit_length() * right, f"{left!r} ** {right}")
        if operator == "*" and integers:
            checked_int(left.bit_length() + right.bit_length(), "*")
        if operator == "*":
            sized, count = (left, right) if size(left) else (right, left)
            if isinstance(count, int) and size(sized) * count > VALUE_LIMIT:
                raise TemplateLimit(
                    f"* would build a value of {size(sized) * count:,} characters or items, "
                    f"over the limit of {VALUE_LIMIT:,}"
                )
        if operator == "+" and size(left) + size(right) > VALUE_LIMIT:
            raise TemplateLimit(
                f"+ would build a value over the limit of {VALUE_LIMIT:,} characters or items"
            )
        return checked(super().call_binop(context, operator, left, right), operator)


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


def render_bounded(
    environment: DataSandbox, template_name: str, context: dict, timed: bool = True
) -> str:
    """The page, or `TemplateLimit` once it passes its deadline or a size limit. `timed` False
    runs boardpack's own templates, which no workspace wrote, without a budget."""
    template = environment.get_template(template_name)
    if not timed:
        return _page(template, context)
    try:
        with PageBudget(_page.__code__, budget.TIME_LIMIT):
            return _page(template, context)
    except PageTimeout:  # its traceback, as Jinja maps it, says at which template line it stopped
        stopped = rewrite_traceback_stack()
        raise TemplateLimit(
            f"rendering took over {budget.TIME_LIMIT:g} seconds, the limit for a page"
        ).with_traceback(stopped.__traceback__) from None


def _page(template, context: dict) -> str:
    chunks, total, most = [], 0, budget.OUTPUT_LIMIT
    for chunk in template.generate(**context):
        total += len(chunk)
        if total > most:
            limit = TemplateLimit(f"the page passed {most:,} characters, the limit for a page")
            limit.filename = template.filename
            raise limit
        chunks.append(chunk)
    return "".join(chunks)
