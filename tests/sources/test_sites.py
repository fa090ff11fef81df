"""The website audit (issue 26, part 7): a small site with one instance of each problem, each
found with its file and line — accessibility for the CTO, local search for the CMO."""

from __future__ import annotations

from tests.sources.test_git import (
    build,
    cli,
    make_repo,
    trusted_repos,  # noqa: F401 (an autouse fixture)
    workspace,
)

INDEX = """<!doctype html>
<html lang="en">
<head><title>Small Co, Bellingham</title>
<meta name="description" content="Repairs in Bellingham.">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "LocalBusiness", "name": "Small Co",
 "address": "1 Main St", "telephone": "+1 360 555 0100"}
</script></head>
<body>
<img src="van.jpg">
<img src="logo.png" alt="Small Co">
<form><label for="mail">Email</label><input id="mail" type="email">
<input id="phone" type="tel">
<label>Name <input type="text"></label>
<input type="hidden" name="t"><button>Send</button></form>
<a href="http://old.example.com/">old site</a>
<a href="https://example.com/">new</a>
</body></html>
"""
ABOUT = "<html><body><p>About us</p></body></html>\n"


def site_files() -> dict:
    return {
        "site/index.html": INDEX,
        "site/about/index.html": ABOUT,
        "site/robots.txt": "User-agent: *\n",
        "site/old.html": "<html lang='en'><title>Caf\xe9</title></html>".encode("latin-1"),
    }


def test_each_problem_is_found_with_its_file_and_line(tmp_path):
    make_repo(tmp_path / "repos" / "web", site_files())
    toml_extra = "\n[sources.git]\n"
    ws = workspace(tmp_path, ["../repos/web"], toml_extra)
    toml = (
        (ws / "boardpack.toml")
        .read_text()
        .replace('repos = ["../repos/web"]', 'repos = ["../repos/web"]\nsites = ["site"]')
    )
    (ws / "boardpack.toml").write_text(toml)
    pack = build(ws)
    found = {
        f.title: f for f in pack.results.findings if f.area in ("accessibility", "local_search")
    }
    assert found["Images without alt text on the Small Co site"].evidence == "1: site/index.html:10"
    assert (
        found["Form fields without a label on the Small Co site"].evidence
        == "1: site/index.html:13"
    )
    assert found["Links to http: pages on the Small Co site"].evidence == "1: site/index.html:16"
    assert found["Pages without a lang attribute on the Small Co site"].evidence == (
        "1: site/about/index.html"
    )
    assert found["Pages not saved as UTF-8 on the Small Co site"].evidence == "1: site/old.html"
    assert (
        found["Pages without a title on the Small Co site"].evidence == "1: site/about/index.html"
    )
    assert found["Pages without a meta description on the Small Co site"].evidence == (
        "2: site/about/index.html, site/old.html"
    )
    assert "No sitemap.xml on the Small Co site" in found
    assert "No robots.txt on the Small Co site" not in found
    business = found["LocalBusiness data without openingHours on the Small Co site"]
    assert business.area == "local_search" and business.evidence == "1: site/index.html"
    assert {f.area for f in found.values()} == {"accessibility", "local_search"}
    cto = next(d for d in pack.documents if d.id == "cto")
    cmo = next(d for d in pack.documents if d.id == "cmo")
    assert "technology.website" in [s.id for s in cto.sections]
    assert "marketing.local_search" in [s.id for s in cmo.sections]


def test_a_site_that_is_nowhere_is_named(tmp_path):
    make_repo(tmp_path / "repos" / "web", {"README.md": "x\n"})
    ws = workspace(tmp_path, ["../repos/web"], "\n[sources.git]\n")
    toml = (
        (ws / "boardpack.toml")
        .read_text()
        .replace('repos = ["../repos/web"]', 'repos = ["../repos/web"]\nsites = ["dist"]')
    )
    (ws / "boardpack.toml").write_text(toml)
    done = cli(tmp_path, "check", "-w", str(ws), "--as-of", "2026-11-15")
    assert done.returncode == 2 and "entities.co.sites: 'dist' is not a folder" in done.stderr
