"""The shape of the code, as issue 21 measures it: the share of lines over 100 columns, the import
cycles inside boardpack (the graph tests/test_layers.py checks), and the longest functions. Reads
src/boardpack as text and AST; runs nothing. Usage: python bench/code_shape.py [SRC]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_layers import cycles, import_graph, modules  # noqa: E402

SRC = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else Path(__file__).resolve().parents[1] / "src" / "boardpack"
)


def longest_functions(src: Path, top: int = 5) -> list[tuple[int, str]]:
    found = []
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append(
                    (
                        node.end_lineno - node.lineno + 1,
                        f"{path.relative_to(src.parent)}:{node.lineno} {node.name}",
                    )
                )
    return sorted(found, reverse=True)[:top]


def main() -> None:
    known = modules(SRC)
    lines = [
        line for path in known.values() for line in path.read_text(encoding="utf-8").splitlines()
    ]
    long = sum(len(line) > 100 for line in lines)
    found = cycles(import_graph(SRC))
    print(f"lines: {len(lines):,}; over 100 columns: {long:,} ({100 * long / len(lines):.1f}%)")
    print(f"import cycles: {len(found)}")
    for component in found:
        print(f"  {' <-> '.join(component)}")
    print("longest functions:")
    for length, where in longest_functions(SRC):
        print(f"  {length:4d} lines  {where}")


if __name__ == "__main__":
    main()
