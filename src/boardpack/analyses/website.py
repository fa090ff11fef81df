"""The website audit: what each venture's site is missing, for accessibility (the CTO) and for
local search (the CMO) — one finding per problem and site, counted, with its first places."""

from __future__ import annotations

from boardpack.figures import plural
from boardpack.model import Finding, Portfolio, Results, Site

SHOWN = 5  # places a finding lists
# what local search reads from a LocalBusiness block
BUSINESS = ("name", "address", "telephone", "openingHours")


def places(found: list[str]) -> str:
    more = f", and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
    return ", ".join(found[:SHOWN]) + more


def analyse(portfolio: Portfolio, results: Results) -> None:
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    for site in portfolio.sites:
        for finding in audit(site, names.get(site.entity, site.entity)):
            results.add(finding)


def audit(site: Site, venture: str) -> list[Finding]:
    out = []

    def add(area, severity, what, found, action):
        if found:
            out.append(
                Finding(
                    severity=severity,
                    area=area,
                    title=f"{what} on the {venture} site",
                    evidence=f"{len(found)}: {places(found)}",
                    action=action,
                    entity=site.entity,
                    asset=site.path,
                    source=found[0],
                )
            )

    pages = site.pages

    def at(page, line: int) -> str:
        return f"{page.path}:{line}"

    add(
        "accessibility",
        "medium",
        "Images without alt text",
        [at(p, n) for p in pages for n in p.images_without_alt],
        'Give each image an alt text that says what it shows (alt="" for decoration).',
    )
    add(
        "accessibility",
        "medium",
        "Form fields without a label",
        [at(p, n) for p in pages for n in p.unlabelled],
        "Give each field a <label for=…> (or an aria-label) a screen reader can announce.",
    )
    add(
        "accessibility",
        "medium",
        "Links to http: pages",
        [at(p, n) for p in pages for n in p.insecure_links],
        "Link to the https: address.",
    )
    add(
        "accessibility",
        "low",
        "Pages without a lang attribute",
        [p.path for p in pages if not p.lang],
        'Declare the page language: <html lang="en">.',
    )
    add(
        "accessibility",
        "low",
        "Pages not saved as UTF-8",
        [p.path for p in pages if p.not_utf8],
        "Save the pages as UTF-8 and declare <meta charset=\"utf-8\">.",
    )
    add(
        "local_search",
        "medium",
        "Pages without a title",
        [p.path for p in pages if not p.title],
        "Give each page a <title> naming the business, what it offers and where.",
    )
    add(
        "local_search",
        "medium",
        "Pages without a meta description",
        [p.path for p in pages if not p.description],
        'Add <meta name="description" content="…"> of one or two sentences to each page.',
    )
    add(
        "local_search",
        "low",
        "No sitemap.xml",
        [] if site.sitemap else [f"{site.path} (sitemap.xml)"],
        "Publish a sitemap.xml at the site's root and name it in robots.txt.",
    )
    add(
        "local_search",
        "low",
        "No robots.txt",
        [] if site.robots else [f"{site.path} (robots.txt)"],
        "Publish a robots.txt at the site's root.",
    )
    business = [b for p in pages for b in p.business]
    if pages and not business:
        add(
            "local_search",
            "medium",
            "No LocalBusiness structured data",
            [f"{site.path} ({plural(len(pages), 'page')})"],
            "Add a JSON-LD LocalBusiness block with name, address, telephone and openingHours.",
        )
    elif business:
        have = {k for b in business for k in b}
        if "openingHoursSpecification" in have:
            have.add("openingHours")
        missing = [k for k in BUSINESS if k not in have]
        add(
            "local_search",
            "medium",
            f"LocalBusiness data without {', '.join(missing)}",
            [p.path for p in pages if p.business] if missing else [],
            f"Add {', '.join(missing)} to the LocalBusiness block, as the business shows them.",
        )
    return out
