"""The ventures' websites (`[[entities]] sites = [...]`): static HTML or a built `dist/`, a folder
in the workspace or in one of the venture's repositories, read page by page with libxml2's HTML
parser (lxml) — nothing is fetched. What a page and the site are missing, each with its file and
line: for accessibility (lang, alt text, labels, links to http:) and for local search (titles, meta
descriptions, a sitemap, robots.txt, LocalBusiness structured data).
"""

from __future__ import annotations

import json
from pathlib import Path

from boardpack.errors import SourceProblem, WorkspaceError
from boardpack.files import inside
from boardpack.model import Page, Portfolio, Site, SourceStatus

PAGES = 2000  # pages read per site; the rest are counted
PAGE_BYTES = 2_000_000
FIELDS = {"input", "select", "textarea"}
NOT_FIELDS = {"hidden", "submit", "button", "reset", "image"}
SHOPS = ("Restaurant", "Store", "LodgingBusiness", "TravelAgency")  # LocalBusiness by another name


def read_page(page: Page, html: bytes) -> None:
    """What the page says and lacks, by line, from libxml2's HTML parser (lxml): it reads any page
    in one pass, where the standard library's parser takes quadratic time on some (text broken by
    a thousand `<`, unclosed comments). A JSON-LD block that is not plain JSON is named and left
    out; the rest of the page is read."""
    from lxml import etree

    parser = etree.HTMLParser(encoding="utf-8", no_network=True, remove_pis=True)
    try:
        root = etree.fromstring(html, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None  # an empty page, or nothing a parser can use: nothing on it
    labelled, fields = set(), []
    for element in root.iter(tag=etree.Element) if root is not None else ():
        tag, a, line = element.tag, element.attrib, element.sourceline or 0
        if tag == "html" and a.get("lang", "").strip():
            page.lang = True
        elif tag == "title" and not page.title:
            page.title = " ".join("".join(element.itertext()).split())
        elif tag == "meta" and a.get("name", "").lower() == "description" and a.get("content"):
            page.description = True
        elif tag == "img" and "alt" not in a:
            page.images_without_alt.append(line)
        elif tag == "label" and a.get("for"):
            labelled.add(a["for"])
        elif tag in FIELDS and a.get("type", "").lower() not in NOT_FIELDS:
            inside_label = next(element.iterancestors("label"), None) is not None
            named = inside_label or a.get("aria-label") or a.get("aria-labelledby")
            fields.append((line, a.get("id", ""), bool(named)))
        elif tag == "a" and a.get("href", "").lower().startswith("http:"):
            page.insecure_links.append(line)
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            page.business += structured_data(element.text or "", page, line)
    page.unlabelled = [line for line, fid, named in fields if not named and fid not in labelled]


def structured_data(text: str, page: Page, line: int) -> list[dict]:
    """The LocalBusiness objects of a JSON-LD block; a block that is not JSON (or nests deeper
    than any) is named on the page and left out."""
    try:
        found = json.loads(text)
    except ValueError:
        return []  # not JSON: a search engine ignores it too, and says so in its own tools
    except RecursionError:
        page.problems.append(f"line {line}: a JSON-LD block nested thousands deep: left out")
        return []
    kept = []
    for item in found if isinstance(found, list) else [found]:
        kinds = item.get("@type") if isinstance(item, dict) else None
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and ("Business" in k or k in SHOPS) for k in kinds):
            kept.append(item)
    return kept


def read_site(root: Path, shown: str, entity: str) -> Site:
    site = Site(entity=entity, path=shown)
    base = root if root.is_dir() else root.parent
    site.sitemap = (base / "sitemap.xml").is_file()
    site.robots = (base / "robots.txt").is_file()
    pages = (
        [root]
        if root.is_file()
        else sorted(p for p in root.rglob("*") if p.suffix in (".html", ".htm") and p.is_file())
    )
    for path in pages:
        if path.is_symlink() or path.stat().st_size > PAGE_BYTES or len(site.pages) >= PAGES:
            site.skipped += 1
            continue
        raw = path.read_bytes()
        page = Page(path=f"{shown.rstrip('/')}/{path.relative_to(base).as_posix()}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text, page.not_utf8 = raw.decode("utf-8", "replace"), True
        read_page(page, text.encode("utf-8"))
        site.pages.append(page)
    return site


class Websites:
    name = "sites"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        listed = [(e, s) for e in ws.settings.entities for s in e.sites]
        status = SourceStatus(name=self.name, configured=bool(listed), stale_after_days=3650)
        for entity, shown in listed:
            key = f"entities.{entity.id}.sites"
            candidates = [inside(ws.root, shown, key)] + [
                inside(ws.root, f"{repo.rstrip('/')}/{shown}", key) for repo in entity.repos
            ]
            root = next((c for c in candidates if c.exists()), None)
            if root is None:
                raise WorkspaceError(
                    f"{key}: {shown!r} is not a folder or page in the workspace, nor in the"
                    f" venture's repositories ({', '.join(entity.repos) or 'none'}); fix the path"
                )
            portfolio.sites.append(read_site(root, shown, entity.id))
        status.problems += [
            SourceProblem(page.path, None, problem)
            for site in portfolio.sites
            for page in site.pages
            for problem in page.problems
        ]
        status.records = sum(len(s.pages) for s in portfolio.sites)
        status.paths = [s.path for s in portfolio.sites]
        status.freshness = portfolio.as_of if listed else None  # read as it stands today
        return status


source = Websites()
