from datetime import date

import pytest

from boardpack.config import load_workspace
from boardpack.errors import WorkspaceError
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, NOTE, write_workspace


def test_front_matter_risks_kpis_and_actions(pack):
    (note,) = pack.portfolio.notes
    assert (note.entity, note.status, note.updated, note.title) == (
        "co",
        "red",
        date(2026, 11, 10),
        "Co handoff",
    )
    assert note.kpis == {"customers": 12}
    assert (
        note.risks[0].severity == "high" and note.risks[0].title == "Key supplier <b>may</b> close"
    )
    actions = [(a.owner, a.title, a.due, a.done, a.source) for a in note.actions]
    assert actions == [
        ("cfo", "Renegotiate the lease", date(2026, 11, 20), False, "notes/co.md:16"),
        ("cto", "Rotate the API keys", date(2026, 12, 30), False, "notes/co.md:17"),
        ("ceo", "Done already", date(2026, 11, 1), True, "notes/co.md:18"),
        (None, "Unowned item", None, False, "notes/co.md:19"),
    ]
    assert pack.portfolio.sources["notes"].freshness == date(2026, 11, 10)


def build(tmp_path, note):
    return build_pack(
        load_workspace(write_workspace(tmp_path, files={"notes/co.md": note}), environ={}),
        AS_OF,
        generated_at=GENERATED_AT,
    )


def test_yaml_is_loaded_safely(tmp_path):
    note = NOTE.replace("status: red", "status: !!python/object/apply:os.system ['echo pwned']")
    with pytest.raises(WorkspaceError, match="notes/co.md.*front matter is not valid YAML"):
        build(tmp_path, note)


def test_unknown_front_matter_key_names_the_note(tmp_path):
    with pytest.raises(WorkspaceError, match="notes/co.md: front matter risk: unknown key"):
        build(tmp_path, NOTE.replace("risks:", "risk:"))


def test_note_for_an_undeclared_entity(tmp_path):
    with pytest.raises(WorkspaceError, match="notes/co.md:2: entity 'nope' is not declared"):
        build(tmp_path, NOTE.replace("entity: co", "entity: nope"))


def test_a_due_date_that_does_not_exist(tmp_path):
    with pytest.raises(WorkspaceError, match="notes/co.md:16: due date 2026-11-31 does not exist"):
        build(tmp_path, NOTE.replace("2026-11-20", "2026-11-31"))


def test_stale_notes_are_flagged_as_stale(tmp_path):
    pack = build(tmp_path, NOTE.replace("updated: 2026-11-10", "updated: 2026-05-01"))
    assert pack.portfolio.sources["notes"].state(pack.period) == "stale"
    section = next(
        s for d in pack.documents if d.id == "cto" for s in d.sections if s.id == "technology.risks"
    )
    assert section.blocks[0].tone == "warn" and "stale" in section.blocks[0].text
