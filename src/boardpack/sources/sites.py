"""The ventures' websites (`[[entities]] sites = [...]`): static HTML or a built `dist/`, a folder
in the workspace or in one of the venture's repositories, read page by page with the standard
library's HTML parser — nothing is fetched. What a page and the site are missing, each with its
file and line: for accessibility (lang, alt text, labels, links to http:) and for local search
(titles, meta descriptions, a sitemap, robots.txt, LocalBusiness structured data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from boardpack.config import inside
from boardpack.errors import WorkspaceError
from boardpack.model import Portfolio, SourceStatus

PAGES = 2000  # pages read per site; the rest are counted
PAGE_BYTES = 2_000_000
FIELDS = {"input", "select", "textarea"}
NOT_FIELDS = {"hidden", "submit", "button", "reset", "image"}
BUSINESS = ("name", "address", "telephone", "openingHours")
SHOPS = ("Restaurant", "Store", "LodgingBusiness", "TravelAgency")  # LocalBusiness by another name


@dataclass
class Page:
    path: str
    lang: bool = False
    title: str = ""
    description: bool = False
    images_without_alt: list[int] = field(default_factory=list)
    unlabelled: list[int] = field(default_factory=list)
    insecure_links: list[int] = field(default_factory=list)
    business: list[dict] = field(default_factory=list)  # LocalBusiness objects of its JSON-LD
    not_utf8: bool = False


@dataclass
class Site:
    entity: str
    path: str
    pages: list[Page] = field(default_factory=list)
    sitemap: bool = False
    robots: bool = False
    skipped: int = 0


class PageReader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page, self.labelled, self.fields = page, set(), []
        self.in_title = self.in_label = self.in_json = 0
        self.json = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        line = self.getpos()[0]
        if tag == "html" and a.get("lang", "").strip():
            self.page.lang = True
        elif tag == "title":
            self.in_title = 1
        elif tag == "meta" and a.get("name", "").lower() == "description" and a.get("content"):
            self.page.description = True
        elif tag == "img" and "alt" not in a:
            self.page.images_without_alt.append(line)
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        elif tag in FIELDS and a.get("type", "").lower() not in NOT_FIELDS:
            named = self.in_label or a.get("aria-label") or a.get("aria-labelledby")
            self.fields.append((line, a.get("id", ""), bool(named)))
        elif tag == "a" and a.get("href", "").lower().startswith("http:"):
            self.page.insecure_links.append(line)
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self.in_json, self.json = 1, ""

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = 0
        elif tag == "label":
            self.in_label = max(0, self.in_label - 1)
        elif tag == "script" and self.in_json:
            self.in_json = 0
            try:
                found = json.loads(self.json)
            except ValueError:
                return
            for item in found if isinstance(found, list) else [found]:
                kinds = item.get("@type") if isinstance(item, dict) else None
                kinds = kinds if isinstance(kinds, list) else [kinds]
                if any(isinstance(k, str) and ("Business" in k or k in SHOPS) for k in kinds):
                    self.page.business.append(item)

    def handle_data(self, data):
        if self.in_title:
            self.page.title += data.strip()
        if self.in_json:
            self.json += data

    def close(self):
        super().close()
        self.page.unlabelled = [
            line for line, fid, named in self.fields if not named and fid not in self.labelled
        ]


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
        reader = PageReader(page)
        reader.feed(text)
        reader.close()
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
        status.records = sum(len(s.pages) for s in portfolio.sites)
        status.paths = [s.path for s in portfolio.sites]
        status.freshness = portfolio.as_of if listed else None  # read as it stands today
        return status


source = Websites()
