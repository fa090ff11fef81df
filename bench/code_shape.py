"""The shape of the code, as issues 21 and 37 measure it: the share of lines over 100 columns, the
import cycles inside boardpack (the graph tests/test_layers.py checks), nested conditional
expressions, conditionals per 1,000 statements, the repeated `provenance=provenance`, the bracket
wraps a trailing comment causes, the walks over a document's blocks (functions that tell its block
types apart: the target is one, reports/plain.py) and the longest functions. Reads src/boardpack as
text and AST; runs nothing.

Usage: python bench/code_shape.py [SRC [SRC...]]   (more than one: side by side, e.g. before/after)
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_layers import cycles, import_graph, modules  # noqa: E402

HERE = Path(__file__).resolve().parents[1] / "src" / "boardpack"
# a line that only closes brackets and then comments: the wrap a trailing comment forced
TRAILING_WRAP = re.compile(r"^\s*[)\]}]+,?\s+#")


@dataclass
class Shape:
    lines: int
    long: int
    cycles: list[list[str]]
    nested: list[str]
    conditionals: int
    statements: int
    provenance: int
    trailing_wraps: int
    walks: list[str]
    longest: list[tuple[int, int, str]]


def block_names(tree: ast.AST) -> set[str]:
    """Names in an isinstance test or a `case` pattern that are a document's block types."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance":
            kinds = node.args[1] if len(node.args) > 1 else None
            for n in ast.walk(kinds) if kinds else ():
                if isinstance(n, (ast.Name, ast.Attribute)):
                    found.add(n.id if isinstance(n, ast.Name) else n.attr)
        elif isinstance(node, ast.MatchClass):
            cls = node.cls
            found.add(cls.id if isinstance(cls, ast.Name) else getattr(cls, "attr", ""))
    return {n for n in found if n.endswith("Block")}


def functions(tree: ast.AST):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def own_nodes(fn: ast.AST):
    """The nodes of a function, not of the functions inside it."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def measure(src: Path) -> Shape:
    shape = Shape(0, 0, cycles(import_graph(src)), [], 0, 0, 0, 0, [], [])
    for path in sorted(modules(src).values()):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(src.parent))
        lines = text.splitlines()
        shape.lines += len(lines)
        shape.long += sum(len(line) > 100 for line in lines)
        shape.trailing_wraps += sum(bool(TRAILING_WRAP.match(line)) for line in lines)
        tree = ast.parse(text)
        # a conditional inside another counts once, at the outermost (ast.walk goes outside in)
        inner_ifs: set[ast.AST] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt):
                shape.statements += 1
            if isinstance(node, (ast.If, ast.IfExp)):
                shape.conditionals += 1
            if isinstance(node, ast.IfExp) and node not in inner_ifs:
                inside = [n for n in ast.walk(node) if isinstance(n, ast.IfExp) and n is not node]
                if inside:
                    shape.nested.append(f"{where}:{node.lineno}")
                    inner_ifs.update(inside)
            if isinstance(node, ast.keyword) and node.arg == "provenance":
                value = node.value
                shape.provenance += isinstance(value, ast.Name) and value.id == "provenance"
        for fn in functions(tree):
            own = list(own_nodes(fn))
            statements = sum(isinstance(n, ast.stmt) for n in own)
            lines_long = fn.end_lineno - fn.lineno + 1
            shape.longest.append((lines_long, statements, f"{where}:{fn.lineno} {fn.name}"))
            fake = ast.Module(body=[n for n in own if isinstance(n, ast.stmt)], type_ignores=[])
            if len(block_names(fake)) >= 2:
                shape.walks.append(f"{where}:{fn.lineno} {fn.name}")
    shape.longest.sort(reverse=True)
    return shape


def send_pack(shape: Shape) -> str:
    """The send's own function, which issue 37 split into named steps."""
    (lines, statements), *_ = [(n, k) for n, k, at in shape.longest if at.endswith(" send_pack")]
    return f"{lines}, {statements}"


def main(sources: list[Path]) -> None:
    shapes = [(src, measure(src)) for src in sources]
    rows = [
        ("lines", lambda s: f"{s.lines:,}"),
        ("over 100 columns", lambda s: f"{s.long:,} ({100 * s.long / s.lines:.1f}%)"),
        ("import cycles", lambda s: f"{len(s.cycles)}"),
        ("nested conditional expressions", lambda s: f"{len(s.nested)}"),
        (
            "conditionals per 1,000 statements",
            lambda s: f"{1000 * s.conditionals / s.statements:.0f}",
        ),
        ("provenance=provenance", lambda s: f"{s.provenance}"),
        ("bracket wraps from trailing comments", lambda s: f"{s.trailing_wraps}"),
        ("walks over a document's blocks", lambda s: f"{len(s.walks)}"),
        ("longest function (lines)", lambda s: f"{s.longest[0][0]}"),
        ("pipeline.send_pack (lines, statements)", lambda s: send_pack(s)),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}}  " + "  ".join(f"{str(src)[-28:]:>28}" for src, _ in shapes))
    for label, show in rows:
        print(f"{label:{width}}  " + "  ".join(f"{show(s):>28}" for _, s in shapes))
    for src, s in shapes:
        print(f"\n{src}")
        for component in s.cycles:
            print(f"  cycle: {' <-> '.join(component)}")
        for at in s.nested:
            print(f"  nested conditional: {at}")
        for at in s.walks:
            print(f"  walks blocks: {at}")
        print("  longest functions (lines, statements):")
        for length, statements, at in s.longest[:6]:
            print(f"    {length:4d} {statements:4d}  {at}")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]] or [HERE])
