"""An offline OSV database (`[sources.osv] path`): a folder or a zip of OSV JSON records, read
recursively and kept up to date by the owner. Nothing is fetched at run time. The snapshot's date
is its newest record's `modified`, and it is stale 30 days after that.

A record that does not parse is named by its file (and id, when it has one) and left out; the rest
are read.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from datetime import date

from boardpack.errors import SourceProblem
from boardpack.files import inside
from boardpack.model import Advisory, Portfolio, SourceStatus, package_key
from boardpack.period import latest_plausible

RECORD_BYTES = 5_000_000  # a record larger than this is not an advisory: skipped, named
CVSS_LEVELS = ((9.0, "critical"), (7.0, "high"), (4.0, "medium"), (0.0, "low"))
GHSA_SEVERITY = {"CRITICAL": "critical", "HIGH": "high", "MODERATE": "medium", "LOW": "low"}


def severity_of(record: dict) -> tuple[str, str]:
    """(severity, score): CVSS where the record gives a vector, else the database's own word."""
    for entry in record.get("severity") or []:
        vector = str(entry.get("score", ""))
        try:
            if entry.get("type") == "CVSS_V3":
                from cvss import CVSS3

                cvss = CVSS3(vector)
            elif entry.get("type") == "CVSS_V4":
                from cvss import CVSS4

                cvss = CVSS4(vector)
            else:
                continue
        except Exception:  # noqa: BLE001 — cvss raises its own kinds for a bad vector
            continue
        score = float(cvss.base_score)
        level = next(name for floor, name in CVSS_LEVELS if score >= floor)
        return level, f"CVSS {score:g} ({vector})"
    word = str((record.get("database_specific") or {}).get("severity", "")).upper()
    return GHSA_SEVERITY.get(word, "medium"), ""


def advisories(record: dict, source: str) -> Iterator[Advisory]:
    rid = record["id"]
    if not isinstance(rid, str) or not isinstance(record.get("affected", []), list):
        raise ValueError("id must be text and affected a list")
    severity, score = severity_of(record)
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if not package.get("ecosystem") or not package.get("name"):
            continue  # a GIT-only range: no package to match
        ranges = tuple(
            tuple((kind, str(v)) for event in r.get("events", []) for kind, v in event.items())
            for r in affected.get("ranges") or []
            if r.get("type") in ("ECOSYSTEM", "SEMVER")
        )
        yield Advisory(
            id=rid,
            aliases=tuple(record.get("aliases") or ()),
            summary=str(record.get("summary") or record.get("details") or "")[:300],
            severity=severity,
            score=score,
            ecosystem=str(package["ecosystem"]).split(":")[0],  # "Debian:11" -> Debian
            name=str(package["name"]),
            ranges=ranges,
            versions=frozenset(map(str, affected.get("versions") or ())),
            source=source,
        )


class OsvDatabase:
    name = "osv"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        spec = ws.settings.sources.osv
        status = SourceStatus(name=self.name, configured=spec is not None, stale_after_days=30)
        if spec is None:
            return status
        status.optional = spec.optional
        root = inside(ws.root, spec.path, "sources.osv.path")
        if not root.exists():
            status.error = (
                f"sources.osv.path = {spec.path!r}: no such folder or zip; download the OSV records"
                " of your ecosystems"
                " (https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip)"
                " and name the folder or zip here"
            )
            return status
        found: dict[tuple[str, str], list[Advisory]] = {}
        newest: date | None = None
        latest, count = latest_plausible(portfolio.as_of), 0
        for source, raw in records(root, spec.path):
            if raw is None:
                why = f"larger than {RECORD_BYTES:,} bytes, so not one advisory"
                status.problems.append(SourceProblem(source, None, f"{why}; it is left out"))
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:
                status.problems.append(SourceProblem(source, None, f"not JSON ({exc}); left out"))
                continue
            except RecursionError:
                why = "JSON nested thousands deep, so not an advisory; it is left out"
                status.problems.append(SourceProblem(source, None, why))
                continue
            rid = record.get("id") if isinstance(record, dict) else None
            try:
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                modified = date.fromisoformat(str(record.get("modified", ""))[:10])
                read = list(advisories(record, source))
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
                named = f" (record {rid[:80]})" if isinstance(rid, str) else ""
                status.problems.append(
                    SourceProblem(source, None, f"not an OSV record{named}: {exc}; it is left out")
                )
                continue
            for a in read:
                found.setdefault(package_key(a.ecosystem, a.name), []).append(a)
            count += 1
            if modified > latest:  # a wrong year, never a date the record was changed
                status.problems.append(
                    SourceProblem(
                        source,
                        None,
                        f"modified {modified}, a year or more from now: a wrong date, which does"
                        " not make the snapshot current",
                    )
                )
                continue
            newest = max(newest or modified, modified)
        portfolio.advisories = found
        status.paths = [spec.path]
        status.records = count
        status.freshness = newest
        return status


def records(root, shown: str) -> Iterator[tuple[str, bytes | None]]:
    """Each .json file under a folder, or in a zip, as (its name for people, its bytes; None when
    it is too large to be one record)."""
    if root.is_file():
        with zipfile.ZipFile(root) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".json") and not info.is_dir():
                    name = f"{shown}:{info.filename}"
                    too_large = info.file_size > RECORD_BYTES
                    yield name, None if too_large else archive.read(info)
        return
    for path in sorted(root.rglob("*.json")):
        if path.is_file() and not path.is_symlink():
            relative = f"{shown.rstrip('/')}/{path.relative_to(root).as_posix()}"
            yield relative, None if path.stat().st_size > RECORD_BYTES else path.read_bytes()


source = OsvDatabase()
