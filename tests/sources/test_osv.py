"""Known-vulnerable dependencies (issue 26, part 1): a repository's lock files against a generated
offline OSV snapshot across ecosystems — OSV's range rules at their edges (introduced, fixed,
last_affected, several intervals, listed versions), a record or lock file that does not parse
named while the rest goes on, a stale snapshot said so. Real git repositories, no network."""

from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest

from boardpack.analyses.dependencies import affected, fixed_in
from boardpack.sources.lockfiles import parser_for
from boardpack.sources.osv import advisories
from tests.sources.test_git import (
    build,
    make_repo,
    trusted_repos,  # noqa: F401 (an autouse fixture)
    workspace,
)


def record(rid, ecosystem, name, events, versions=(), **extra) -> dict:
    return {
        "id": rid,
        "modified": "2026-11-01T00:00:00Z",
        "aliases": [f"CVE-2026-{rid[-4:]}"],
        "summary": f"A flaw in {name}",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
                "versions": list(versions),
            }
        ],
        **extra,
    }


def one(*args, **kwargs):
    (advisory,) = advisories(record(*args, **kwargs), "test.json")
    return advisory


@pytest.mark.parametrize(
    "events, version, hit",
    [
        ([{"introduced": "0"}, {"fixed": "2.0.0"}], "1.9.9", True),
        ([{"introduced": "0"}, {"fixed": "2.0.0"}], "2.0.0", False),  # fixed is excluded
        ([{"introduced": "1.5.0"}, {"fixed": "2.0.0"}], "1.5.0", True),  # introduced included
        ([{"introduced": "1.5.0"}, {"fixed": "2.0.0"}], "1.4.9", False),
        ([{"introduced": "1.0.0"}, {"last_affected": "1.3.0"}], "1.3.0", True),  # included
        ([{"introduced": "1.0.0"}, {"last_affected": "1.3.0"}], "1.3.1", False),
        (  # two intervals, in the file out of order: walked in version order
            [
                {"fixed": "3.2.0"},
                {"introduced": "1.0.0"},
                {"introduced": "3.0.0"},
                {"fixed": "1.2.0"},
            ],
            "2.0.0",
            False,
        ),
        (
            [
                {"fixed": "3.2.0"},
                {"introduced": "1.0.0"},
                {"introduced": "3.0.0"},
                {"fixed": "1.2.0"},
            ],
            "3.1.0",
            True,
        ),
        ([{"introduced": "0"}], "99.0.0", True),  # no fix yet
        ([{"introduced": "0"}, {"fixed": "2.0.0"}], "2.0.0-rc.1", True),  # a pre-release is before
    ],
)
def test_semver_ranges_at_their_edges(events, version, hit):
    assert affected(one("GHSA-aaaa-0001", "npm", "left-pad", events), version) is hit


def test_pypi_orders_as_pep_440_and_lists_versions_one_by_one():
    pypi = one("PYSEC-2026-0002", "PyPI", "Jinja2", [{"introduced": "0"}, {"fixed": "3.1.3"}])
    assert affected(pypi, "3.1.2") and not affected(pypi, "3.1.3")
    assert affected(pypi, "3.1.3rc1")  # a release candidate comes before its release
    assert fixed_in(pypi, "3.0.0") == "3.1.3"
    listed = one("PYSEC-2026-0003", "PyPI", "x", [], versions=["1.0.post1"])
    assert affected(listed, "1.0.post1") and not affected(listed, "1.0")


LOCKS = {
    "requirements.txt": "# pinned\nJinja2==3.1.2 ; python_version >= '3.8'\nflask>=2\n",
    "web/package-lock.json": json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {"name": "web"},
                "node_modules/left-pad": {"version": "1.1.0"},
                "node_modules/ok-pkg": {"version": "9.9.9"},
            },
        },
        indent=2,
    ),
    "svc/go.sum": (
        "golang.org/x/net v0.17.0 h1:abc=\ngolang.org/x/net v0.17.0/go.mod h1:def=\n"
        "github.com/ok/thing v1.2.3 h1:ghi=\n"
    ),
    "broken/Cargo.lock": "[[package]\nname = oops\n",  # does not parse: named, the rest goes on
}
SNAPSHOT = [
    record("PYSEC-2026-0001", "PyPI", "jinja2", [{"introduced": "0"}, {"fixed": "3.1.3"}]),
    record(
        "GHSA-aaaa-bbbb-0002",
        "npm",
        "left-pad",
        [{"introduced": "1.0.0"}, {"last_affected": "1.1.0"}],
        database_specific={"severity": "HIGH"},
    ),
    record(
        "GO-2026-0003",
        "Go",
        "golang.org/x/net",
        [{"introduced": "0"}, {"fixed": "0.23.0"}],
        severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    ),
    record("GHSA-cccc-dddd-0004", "npm", "ok-pkg", [{"introduced": "0"}, {"fixed": "2.0.0"}]),
]


def snapshot(folder, records, broken=True):
    folder.mkdir(parents=True)
    for r in records:
        (folder / f"{r['id']}.json").write_text(json.dumps(r))
    if broken:
        (folder / "nested").mkdir()
        (folder / "nested" / "BAD-1.json").write_text('{"id": "BAD-1", "affected": "nope"')


@pytest.fixture
def osv_pack(tmp_path):
    make_repo(tmp_path / "repos" / "app", LOCKS)
    snapshot(tmp_path / "ws" / "osv", SNAPSHOT)
    ws = workspace(tmp_path, ["../repos/app"], '\n[sources.git]\n[sources.osv]\npath = "osv"\n')
    return build(ws)


def test_each_pinned_version_inside_an_advisory_is_a_finding(osv_pack):
    found = {f.title: f for f in osv_pack.results.findings if f.area == "dependency"}
    titles = sorted(found)
    assert titles == [
        "A lock file in app could not be read",
        "Jinja2 3.1.2 in app is known to be vulnerable (PYSEC-2026-0001)",
        "golang.org/x/net v0.17.0 in app is known to be vulnerable (GO-2026-0003)",
        "left-pad 1.1.0 in app is known to be vulnerable (GHSA-aaaa-bbbb-0002)",
    ]
    go = found["golang.org/x/net v0.17.0 in app is known to be vulnerable (GO-2026-0003)"]
    assert (
        go.severity == "critical" and "CVSS 9.8" in go.evidence and "CVE-2026-0003" in go.evidence
    )
    assert go.evidence.startswith("../repos/app/svc/go.sum:1 pins Go golang.org/x/net v0.17.0")
    assert "Fixed in: 0.23.0." in go.evidence and go.action.startswith("Upgrade golang.org/x/net")
    pad = found["left-pad 1.1.0 in app is known to be vulnerable (GHSA-aaaa-bbbb-0002)"]
    assert pad.severity == "high" and "no fixed version yet" in pad.evidence
    assert (
        "broken/Cargo.lock: could not be read (not TOML" in found[
            "A lock file in app could not be read"
        ].evidence
    )
    assert osv_pack.results.metrics["technology.vulnerable_dependencies"].value == 3
    status = osv_pack.portfolio.sources["osv"]
    (problem,) = status.problems
    assert str(problem).startswith("osv/nested/BAD-1.json: not JSON")
    assert status.records == 4 and status.freshness == date(2026, 11, 1)
    cto = next(d for d in osv_pack.documents if d.id == "cto")
    assert "technology.dependencies" in [s.id for s in cto.sections]


def test_a_record_that_parses_but_is_not_osv_is_named_by_its_id(tmp_path):
    make_repo(tmp_path / "repos" / "app", {"requirements.txt": "jinja2==3.1.2\n"})
    bad = record("PYSEC-2026-0009", "PyPI", "jinja2", [])
    bad["affected"] = "not a list"
    snapshot(tmp_path / "ws" / "osv", [SNAPSHOT[0], bad], broken=False)
    ws = workspace(tmp_path, ["../repos/app"], '\n[sources.git]\n[sources.osv]\npath = "osv"\n')
    pack = build(ws)
    (problem,) = pack.portfolio.sources["osv"].problems
    assert "osv/PYSEC-2026-0009.json: not an OSV record (record PYSEC-2026-0009)" in str(problem)
    assert pack.results.metrics["technology.vulnerable_dependencies"].value == 1


def test_a_zip_snapshot_and_a_stale_one(tmp_path):
    make_repo(tmp_path / "repos" / "app", {"requirements.txt": "jinja2==3.1.2\n"})
    old = dict(SNAPSHOT[0], modified="2026-08-01T00:00:00Z")
    (tmp_path / "ws").mkdir()
    with zipfile.ZipFile(tmp_path / "ws" / "PyPI.zip", "w") as z:
        z.writestr("PYSEC-2026-0001.json", json.dumps(old))
    ws = workspace(
        tmp_path, ["../repos/app"], '\n[sources.git]\n[sources.osv]\npath = "PyPI.zip"\n'
    )
    pack = build(ws)
    assert pack.results.metrics["technology.vulnerable_dependencies"].value == 1
    assert (
        pack.portfolio.sources["osv"].state(pack.period) == "stale"
    )  # 30 days before October ended
    cto = next(d for d in pack.documents if d.id == "cto")
    section = next(s for s in cto.sections if s.id == "technology.dependencies")
    assert "The osv source is stale: its newest record is 2026-08-01" in section.blocks[0].text


def test_a_missing_snapshot_says_where_to_get_one(tmp_path):
    make_repo(tmp_path / "repos" / "app", {"requirements.txt": "jinja2==3.1.2\n"})
    ws = workspace(tmp_path, ["../repos/app"], '\n[sources.git]\n[sources.osv]\npath = "osv"\n')
    pack = build(ws)
    assert "osv-vulnerabilities.storage.googleapis.com" in pack.portfolio.sources["osv"].error


@pytest.mark.parametrize(
    "path, text, pins",
    [
        ("poetry.lock", '[[package]]\nname = "a"\nversion = "1.0"\n', [("PyPI", "a", "1.0")]),
        ("uv.lock", '[[package]]\nname = "b"\nversion = "2.0"\n', [("PyPI", "b", "2.0")]),
        (
            "Pipfile.lock",
            '{"default": {"c": {"version": "==3.0"}}, "develop": {}}',
            [("PyPI", "c", "3.0")],
        ),
        (
            "package-lock.json",
            '{"lockfileVersion": 1, "dependencies": {"d": {"version": "4.0.0",'
            ' "dependencies": {"e": {"version": "5.0.0"}}}}}',
            [("npm", "d", "4.0.0"), ("npm", "e", "5.0.0")],
        ),
        (
            "pnpm-lock.yaml",
            "lockfileVersion: '9.0'\npackages:\n  '@scope/f@6.0.0':\n    resolution: {}\n"
            "  /g/7.0.0:\n    resolution: {}\n",
            [("npm", "@scope/f", "6.0.0"), ("npm", "g", "7.0.0")],
        ),
        (
            "yarn.lock",
            '"h@^8.0.0", h@~8.0:\n  version "8.0.1"\n\n"@s/i@npm:^1.0.0":\n  version: 1.2.0\n',
            [("npm", "h", "8.0.1"), ("npm", "@s/i", "1.2.0")],
        ),
        (
            "Cargo.lock",
            '[[package]]\nname = "j"\nversion = "0.1.0"\n',
            [("crates.io", "j", "0.1.0")],
        ),
        (
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    rails (7.1.2)\n      rack (>= 2)\n"
            "    nokogiri (1.15.4-x86_64-linux)\n\nPLATFORMS\n  ruby\n",
            [("RubyGems", "rails", "7.1.2"), ("RubyGems", "nokogiri", "1.15.4")],
        ),
        (
            "composer.lock",
            '{"packages": [{"name": "k/l", "version": "v2.0.0"}]}',
            [("Packagist", "k/l", "2.0.0")],
        ),
        (
            "requirements-dev.txt",
            "pytest==8.0 \\\n  --hash=sha256:x\n",
            [("PyPI", "pytest", "8.0")],
        ),
    ],
)
def test_each_lock_file_format(path, text, pins):
    found = parser_for(path)(text)
    assert [(p.ecosystem, p.name, p.version) for p in found] == pins
