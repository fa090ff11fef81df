"""The exact versions a repository installs, from its lock files and pinned requirements: each as
(OSV ecosystem, package name, version, line). A file that does not parse raises ValueError, and the
repository's other files are still read.

Formats: pip requirements (`name==1.2`), poetry.lock, uv.lock, pdm.lock, Pipfile.lock,
package-lock.json (v1 to v3), pnpm-lock.yaml, yarn.lock (classic and berry), go.sum, Cargo.lock,
Gemfile.lock and composer.lock.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import PurePosixPath

from boardpack.model import Pin
from boardpack.sources.plain_yaml import load as load_yaml
from boardpack.sources.plain_yaml import plain_loader

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;#\\]+)")
YARN_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')
GEM_SPEC = re.compile(r"^ {4}([^\s(]+) \(([^)]+)\)\s*$")


def line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def requirements(text: str) -> list[Pin]:
    pins = []
    for n, line in enumerate(text.splitlines(), start=1):
        found = REQUIREMENT.match(line)
        if found:
            pins.append(Pin("PyPI", found[1], found[2], n))
    return pins


def toml_packages(ecosystem: str) -> Callable[[str], list[Pin]]:
    def parse(text: str) -> list[Pin]:
        try:
            packages = tomllib.loads(text).get("package", [])
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"not TOML ({exc})") from None
        return [
            Pin(ecosystem, p["name"], str(p["version"]), line_of(text, f'name = "{p["name"]}"'))
            for p in packages
            if isinstance(p, dict) and p.get("name") and p.get("version")
        ]

    return parse


def loaded_json(text: str) -> dict:
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    except RecursionError:
        raise ValueError("JSON nested thousands deep") from None
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


def pipfile_lock(text: str) -> list[Pin]:
    data = loaded_json(text)
    return [
        Pin("PyPI", name, spec["version"].lstrip("="), line_of(text, f'"{name}"'))
        for group in ("default", "develop")
        for name, spec in (data.get(group) or {}).items()
        if isinstance(spec, dict) and str(spec.get("version", "")).startswith("==")
    ]


def package_lock(text: str) -> list[Pin]:
    data = loaded_json(text)
    pins = []
    for path, spec in (data.get("packages") or {}).items():
        if path and isinstance(spec, dict) and spec.get("version") and not spec.get("link"):
            name = spec.get("name") or path.rpartition("node_modules/")[2]
            pins.append(Pin("npm", name, spec["version"], line_of(text, f'"{path}"')))
    if pins or "packages" in data:
        return pins

    def walk(deps: dict) -> None:  # lockfileVersion 1: nested dependencies
        for name, spec in deps.items():
            if isinstance(spec, dict) and spec.get("version"):
                pins.append(Pin("npm", name, spec["version"], line_of(text, f'"{name}"')))
                walk(spec.get("dependencies") or {})

    walk(data.get("dependencies") or {})
    return pins


def pnpm_lock(text: str) -> list[Pin]:
    yaml, _ = plain_loader()
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not plain YAML ({' '.join(str(exc).split())[:200]})") from None
    if not isinstance(data, dict):
        raise ValueError("not a YAML mapping")
    pins = []
    for key in data.get("packages") or {}:
        spec = str(key).lstrip("/").split("(")[0]  # "/@scope/name@1.2.3(peer@2)"
        at = spec.rfind("@")
        if at > 0:
            name, version = spec[:at], spec[at + 1 :]
        else:  # lockfile 5: "/name/1.2.3"
            name, _, version = spec.rpartition("/")
        if name and version:
            pins.append(Pin("npm", name, version, line_of(text, str(key))))
    return pins


def yarn_lock(text: str) -> list[Pin]:
    pins, name, header = [], None, 0
    for n, line in enumerate(text.splitlines(), start=1):
        if line and not line[0].isspace() and line.rstrip().endswith(":"):
            first = line.rstrip()[:-1].split(",")[0].strip().strip('"')
            at = first.rfind("@")
            name, header = (first[:at] if at > 0 else first), n
        elif name and (found := YARN_VERSION.match(line)):
            pins.append(Pin("npm", name, found[1], header))
            name = None
    return pins


def go_sum(text: str) -> list[Pin]:
    pins, seen = [], set()
    for n, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if len(parts) != 3:
            if line.strip():
                raise ValueError(f"line {n} is not `module version hash`")
            continue
        module, version = parts[0], parts[1].removesuffix("/go.mod")
        if (module, version) not in seen:
            seen.add((module, version))
            pins.append(Pin("Go", module, version, n))
    return pins


def gemfile_lock(text: str) -> list[Pin]:
    pins, in_gems = [], False
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(" "):
            in_gems = line.strip() == "GEM"
        elif in_gems and (found := GEM_SPEC.match(line)):
            pins.append(Pin("RubyGems", found[1], found[2].split("-")[0], n))
    return pins


def composer_lock(text: str) -> list[Pin]:
    data = loaded_json(text)
    return [
        Pin("Packagist", p["name"], str(p["version"]).lstrip("v"), line_of(text, f'"{p["name"]}"'))
        for group in ("packages", "packages-dev")
        for p in data.get(group) or []
        if isinstance(p, dict) and p.get("name") and p.get("version")
    ]


PARSERS: dict[str, Callable[[str], list[Pin]]] = {
    "poetry.lock": toml_packages("PyPI"),
    "uv.lock": toml_packages("PyPI"),
    "pdm.lock": toml_packages("PyPI"),
    "Cargo.lock": toml_packages("crates.io"),
    "Pipfile.lock": pipfile_lock,
    "package-lock.json": package_lock,
    "pnpm-lock.yaml": pnpm_lock,
    "yarn.lock": yarn_lock,
    "go.sum": go_sum,
    "Gemfile.lock": gemfile_lock,
    "composer.lock": composer_lock,
}


def parser_for(path: str) -> Callable[[str], list[Pin]] | None:
    name = PurePosixPath(path).name
    if name.startswith("requirements") and name.endswith(".txt"):
        return requirements
    return PARSERS.get(name)
