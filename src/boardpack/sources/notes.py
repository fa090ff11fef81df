"""Markdown handoff notes: YAML front matter (entity, status, updated, risks, KPIs) and `- [ ]`
actions.

Action items read `- [ ] @owner What to do (due 2026-11-30)`; owner and due date are optional.
What the owners must decide reads `- [decision] @owner What to decide (due 2026-12-15)`, or is an
item under a `## Decisions` heading (a ticked one is decided, and not shown).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from boardpack import links
from boardpack.errors import SourceErrors, SourceProblem
from boardpack.model import Decision, Note, NoteAction, Portfolio, Risk, SourceStatus
from boardpack.period import EARLIEST, latest_plausible
from boardpack.sources.plain_yaml import load as load_yaml
from boardpack.sources.plain_yaml import plain_loader

# `[ ] @owner title (due 2026-11-30)`: the box and owner by one forward match, the due date from the
# end of the
# line by another, so no pattern ever backtracks over the title (a 100,000-character line costs one
# pass)
TASK = re.compile(r"\[(?P<done>[ xX])\]\s+(?:@(?P<owner>[\w-]+)\s+)?(?P<title>.*)")
DECISION = re.compile(r"\[decision\](?P<rest>.*)", re.IGNORECASE)
DECISIONS_HEADING = re.compile(r"decisions?(?: needed)?", re.IGNORECASE)  # a heading, whole
DUE = re.compile(r"\(due:?\s*(?P<due>\d{4}-\d{2}-\d{2})\)")
MAX_NOTE_BYTES = 1_000_000


@cache
def front_matter():
    """python-frontmatter's YAML handler on the plain loader (`plain_yaml`: no anchors or aliases,
    nothing nested deep), and the YAML module. Made on first use: the libraries load only when
    there are notes."""
    import frontmatter

    yaml, _ = plain_loader()

    class FrontMatterHandler(frontmatter.YAMLHandler):
        def load(self, fm: str, **kwargs):
            return load_yaml(fm)

    return frontmatter, FrontMatterHandler(), yaml


def task(line: str) -> tuple[bool, str | None, str, str | None, str] | None:
    """(done, owner, title, due text, link) of a `[ ]` item, or None; the link is an `<…>` that
    ends the line."""
    match = TASK.match(line)
    if not match:
        return None
    title, due, url = match["title"].rstrip(), None, ""
    if title.endswith(">") and (opened := title.rfind("<")) >= 0:
        title, url = title[:opened].rstrip(), title[opened + 1 : -1]
    start = title.rfind("(due")
    if start >= 0 and (found := DUE.fullmatch(title, start)):
        title, due = title[:start].rstrip(), found["due"]
    return match["done"] != " ", match["owner"], title, due, url


class RiskFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    severity: Literal["critical", "high", "medium", "low", "info"] = "medium"
    area: str = "operations"
    action: str = ""
    url: str = ""  # where to act on it: an https link

    @field_validator("url")
    @classmethod
    def https(cls, value: str) -> str:
        return links.checked(value) if value else value


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: str | None = None
    title: str | None = None
    status: Literal["green", "amber", "red"] | None = None
    updated: date | None = None
    owner: str | None = None
    risks: list[RiskFields] = []
    kpis: dict[str, Decimal] = {}


class MarkdownNotes:
    name = "notes"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        spec = ws.settings.sources.notes
        status = SourceStatus(
            name=self.name,
            configured=spec is not None,
            stale_after_days=45,
            optional=bool(spec and spec.optional),
        )
        if spec is None:
            return status
        files = sorted(
            {str(f) for pattern in spec.paths for f in ws.glob(pattern, "sources.notes.paths")}
        )
        if not files:
            raise SourceErrors(
                [
                    SourceProblem(
                        "boardpack.toml",
                        None,
                        f"sources.notes.paths {spec.paths} match no file; fix the paths or remove"
                        " [sources.notes]",
                    )
                ]
            )
        entity_ids = {e.id for e in ws.settings.entities}
        problems: list[SourceProblem] = []
        for file in files:
            shown = str(Path(file).relative_to(ws.root))
            note = read_note(Path(file), shown, entity_ids, problems)
            if note:
                portfolio.notes.append(note)
        problems += same_items(portfolio.notes)
        if problems:
            raise SourceErrors(problems)
        status.paths = [n.path for n in portfolio.notes]
        status.records = len(portfolio.notes)
        latest = latest_plausible(portfolio.as_of)
        ahead = [n for n in portfolio.notes if n.updated and not EARLIEST <= n.updated <= latest]
        status.problems += [
            SourceProblem(
                n.path,
                None,
                f"updated: {n.updated} is not a plausible date (a wrong "
                "year?); it does not count as current",
            )
            for n in ahead
        ]
        status.freshness = max(
            (n.updated for n in portfolio.notes if n.updated and n not in ahead), default=None
        )
        if status.freshness is None:
            status.error = "no note has an `updated:` date in its front matter"
        return status


def read_note(
    path: Path, shown: str, entity_ids: set[str], problems: list[SourceProblem]
) -> Note | None:
    if path.stat().st_size > MAX_NOTE_BYTES:
        problems.append(
            SourceProblem(
                shown,
                None,
                f"{path.stat().st_size:,} bytes: a note is at most {MAX_NOTE_BYTES:,}; split it",
            )
        )
        return None
    frontmatter, handler, yaml = front_matter()
    try:
        text = path.read_text(encoding="utf-8")
        post = frontmatter.loads(text, handler=handler)  # YAML through SafeLoader, no aliases
    except UnicodeDecodeError:
        problems.append(SourceProblem(shown, None, "not valid UTF-8; save the note as UTF-8"))
        return None
    except TypeError:  # a mapping whose keys are not text (`1: x`): python-frontmatter's limit
        problems.append(
            SourceProblem(shown, None, "front matter keys must be words (title:, status:, …)")
        )
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(
            SourceProblem(
                shown, mark.line + 2 if mark else None, f"front matter is not valid YAML: {exc}"
            )
        )
        return None
    try:
        meta = FrontMatter.model_validate(post.metadata)
    except ValidationError as exc:
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"])
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(SourceProblem(shown, None, f"front matter {key}: {msg}"))
        return None
    if meta.entity is not None and meta.entity not in entity_ids:
        problems.append(
            SourceProblem(
                shown,
                2,
                f"entity {meta.entity!r} is not declared in [[entities]] "
                f"(known: {', '.join(sorted(entity_ids))})",
            )
        )
        return None
    offset = text[: max(text.find(post.content), 0)].count("\n")  # lines before the body
    items = list(parse_actions(post.content, shown, offset, meta.entity, problems))
    actions = tuple(i for i in items if isinstance(i, NoteAction))
    decisions = tuple(i for i in items if isinstance(i, Decision))
    risks = tuple(
        Risk(
            title=r.title,
            severity=r.severity,
            area=r.area,
            action=r.action,
            entity=meta.entity,
            source=shown,
            url=r.url,
        )
        for r in meta.risks
    )
    title = meta.title or next(
        (line.lstrip("# ").strip() for line in post.content.splitlines() if line.startswith("#")),
        path.stem,
    )
    return Note(
        path=shown,
        entity=meta.entity,
        title=title,
        status=meta.status,
        updated=meta.updated,
        risks=risks,
        kpis=dict(meta.kpis),
        actions=actions,
        decisions=decisions,
    )


def same_items(notes) -> list[SourceProblem]:
    """Open to-dos that read the same for one venture: follow-through could not tell them apart."""
    first: dict[str, str] = {}
    problems = []
    for item in (i for n in notes for i in n.actions if not i.done):
        if item.id in first:
            path, _, line = item.source.rpartition(":")
            problems.append(
                SourceProblem(
                    path,
                    int(line),
                    f"this to-do reads the same as {first[item.id]} (only figures or dates differ):"
                    " word one differently, or tick it, so each can be followed up",
                )
            )
        else:
            first[item.id] = item.source
    return problems


def parse_actions(
    body: str, shown: str, offset: int, entity: str | None, problems: list[SourceProblem]
):
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(body)
    heading = ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            heading = tokens[i + 1].content.strip()
        if token.type != "list_item_open" or i + 2 >= len(tokens) or tokens[i + 2].type != "inline":
            continue
        first = tokens[i + 2].content.splitlines()[0] if tokens[i + 2].content else ""
        line = offset + (token.map[0] + 1 if token.map else 0)
        asked = DECISION.match(first)
        found = task(f"[ ] {asked['rest'].strip()}" if asked else first)
        decision = asked or DECISIONS_HEADING.fullmatch(heading)
        if decision and not found:  # a plain item under `## Decisions`
            found = task(f"[ ] {first}")
        if not found:
            continue
        done, owner, title, due_text, url = found
        if decision and (not title or (title.startswith("@") and " " not in title)):  # an owner
            problems.append(
                SourceProblem(
                    shown, line, "a decision item without text: say what is to be decided after"
                    " [decision], or remove the item"
                )
            )
            continue
        if url:
            try:
                links.checked(url)
            except ValueError as exc:
                problems.append(SourceProblem(shown, line, str(exc)))
                url = ""
        due = None
        if due_text:
            try:
                due = date.fromisoformat(due_text)
            except ValueError:
                problems.append(SourceProblem(shown, line, f"due date {due_text} does not exist"))
        if decision:
            if not done:  # ticked: decided
                yield Decision(
                    title=title, owner=owner, due=due, entity=entity, source=f"{shown}:{line}"
                )
            continue
        yield NoteAction(
            title=title,
            owner=owner,
            due=due,
            done=done,
            entity=entity,
            source=f"{shown}:{line}",
            heading=heading,
            url=url,
        )


source = MarkdownNotes()
