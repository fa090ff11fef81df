"""Known-vulnerable dependencies: each version a repository's lock files pin, against the offline
OSV advisories ([sources.osv]), with OSV's own range rules — an `introduced`…`fixed` interval
includes its start and not its end, `last_affected` includes its end, and the events are walked in
version order — and each ecosystem's version ordering (PEP 440 through `packaging` for PyPI and,
for plain versions, RubyGems; SemVer through `semver` for npm, crates.io, Go and Packagist).
"""

from __future__ import annotations

from packaging.version import InvalidVersion, Version

from boardpack.model import (
    Advisory,
    Column,
    Finding,
    Metric,
    Portfolio,
    Results,
    Table,
    package_key,
)

SEMVER = ("npm", "crates.io", "Go", "Packagist")
PEP440 = ("PyPI", "RubyGems")


class Unordered(ValueError):
    """A version its ecosystem's rules cannot place."""


def version_key(ecosystem: str, text: str):
    try:
        if ecosystem in PEP440:
            return Version(text)
        if ecosystem in SEMVER:
            import semver  # imported by the packs that compare a SemVer ecosystem only

            return semver.Version.parse(text.removeprefix("v"), optional_minor_and_patch=True)
    except (InvalidVersion, ValueError, TypeError):
        raise Unordered(f"{text!r} is not a {ecosystem} version") from None
    raise Unordered(f"{ecosystem} versions are not compared here")


def affected(advisory: Advisory, version: str) -> bool:
    """Whether `version` is affected: listed by the record, or inside one of its ranges."""
    if version in advisory.versions:
        return True
    mine = version_key(advisory.ecosystem, version)
    for events in advisory.ranges:
        bounds = sorted(
            (
                (0, None) if v == "0" else (1, version_key(advisory.ecosystem, v)),
                kind,
            )
            for kind, v in events
            if kind in ("introduced", "fixed", "last_affected")
        )
        vulnerable = False
        for (_, bound), kind in bounds:
            if kind == "introduced" and (bound is None or mine >= bound):
                vulnerable = True
            elif kind == "fixed" and mine >= bound:
                vulnerable = False
            elif kind == "last_affected" and mine > bound:
                vulnerable = False
        if vulnerable:
            return True
    return False


def fixed_in(advisory: Advisory, version: str) -> str | None:
    """The lowest fixed version above `version`, if the record gives one."""
    mine = version_key(advisory.ecosystem, version)
    fixes = [
        v
        for events in advisory.ranges
        for kind, v in events
        if kind == "fixed" and version_key(advisory.ecosystem, v) > mine
    ]
    return min(fixes, key=lambda v: version_key(advisory.ecosystem, v)) if fixes else None


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("osv") or not portfolio.repositories:
        return  # nothing to match, or nothing to match against: the section says which
    rows, unordered = [], 0
    for repo in portfolio.repositories:
        for problem in repo.lock_problems:
            results.add(
                Finding(
                    severity="low",
                    area="dependency",
                    title=f"A lock file in {repo.name} could not be read",
                    evidence=problem,
                    action="Regenerate the lock file with its package manager, and commit it.",
                    entity=repo.entity,
                    asset=repo.name,
                    source=f"{repo.path}",
                )
            )
        for path, pin in repo.packages:
            for advisory in portfolio.advisories.get(package_key(pin.ecosystem, pin.name), []):
                try:
                    if not affected(advisory, pin.version):
                        continue
                    fixed = fixed_in(advisory, pin.version)
                except Unordered:
                    unordered += 1
                    continue
                where = f"{repo.path}/{path}" + (f":{pin.line}" if pin.line else "")
                aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
                rows.append(
                    {
                        "repository": repo.name,
                        "file": path,
                        "package": pin.name,
                        "version": pin.version,
                        "advisory": advisory.id + aliases,
                        "severity": advisory.severity,
                        "fixed": fixed or "none yet",
                    }
                )
                results.add(
                    Finding(
                        severity=advisory.severity,
                        area="dependency",
                        title=(
                            f"{pin.name} {pin.version} in {repo.name} is known to be vulnerable"
                            f" ({advisory.id})"
                        ),
                        evidence=(
                            f"{where} pins {pin.ecosystem} {pin.name} {pin.version};"
                            f" {advisory.id}{aliases}"
                            + (f", {advisory.score}" if advisory.score else "")
                            + (f": {advisory.summary}" if advisory.summary else "")
                            + f". Fixed in: {fixed or 'no fixed version yet'}."
                        ),
                        action=(
                            f"Upgrade {pin.name} to {fixed} or later, and commit the lock file."
                            if fixed
                            else f"No fix is published for {advisory.id}: remove or isolate"
                            f" {pin.name}, or accept the risk in writing."
                        ),
                        entity=repo.entity,
                        asset=repo.name,
                        source=where,
                    )
                )
    pinned = sum(len(r.packages) for r in portfolio.repositories)
    results.add(
        Metric(
            id="technology.vulnerable_dependencies",
            label="Known-vulnerable dependencies",
            value=len(rows),
            unit="packages",
            provenance=("git", "osv"),
            note=(
                f"of {pinned:,} pinned versions, against the OSV snapshot"
                + (f"; {unordered} could not be compared" if unordered else "")
            ),
        )
    )
    results.add(
        Table(
            id="technology.dependencies",
            title="Known-vulnerable dependencies",
            columns=(
                Column.text("repository", "Repository"),
                Column.text("file", "File"),
                Column.text("package", "Package"),
                Column.text("version", "Version"),
                Column.text("advisory", "Advisory"),
                Column.text("severity", "Severity"),
                Column.text("fixed", "Fixed in"),
            ),
            rows=tuple(rows),
            provenance=("git", "osv"),
            note="Each pinned version inside an OSV advisory's affected range.",
        )
    )
