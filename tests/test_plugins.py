"""A third-party plugin adds its own data: the example package in tests/plugins is installed as a
package's entry points install it (a dist-info folder on the path), its source fills the Portfolio's
extension slot, and its section — in a report of the workspace's own — shows what it read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from boardpack.config import load_workspace
from boardpack.model import Portfolio
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, TOML, write_workspace

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """boardpack-visitors, installed: its metadata with the entry points boardpack looks up."""
    site = tmp_path / "site"
    meta = site / "boardpack_visitors-0.1.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: boardpack-visitors\nVersion: 0.1\n"
    )
    (meta / "entry_points.txt").write_text(
        "[boardpack.sources]\nvisitors = boardpack_visitors:source\n\n"
        "[boardpack.sections]\nvisitors = boardpack_visitors:SECTIONS\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS))
    yield
    sys.modules.pop("boardpack_visitors", None)


def test_a_plugin_source_adds_its_own_records_and_its_section_shows_them(installed, tmp_path):
    toml = (
        TOML
        + '\n[reports.web]\ntitle = "Web"\nsections = ["visitors.summary"]\n[roles.web]\nto ='
        ' ["a@example.com"]\n'
    )
    ws = write_workspace(
        tmp_path / "ws",
        toml,
        {"visitors.csv": "date,visitors\n2026-10-01,40\n2026-10-31,2\n2026-11-01,7\n"},
    )
    pack = build_pack(load_workspace(ws, environ={}), AS_OF)
    from boardpack_visitors import VisitorLog

    log = pack.portfolio.extension("visitors", VisitorLog)
    assert log is not None and log.between(pack.period.start, pack.period.end) == 42
    web = next(d for d in pack.documents if d.id == "web")
    (block,) = web.sections[1].blocks  # after the summary
    assert block.items[0].value == 42 and pack.portfolio.sources["visitors"].records == 3


def test_the_extension_slot_is_typed_and_written_once():
    portfolio = Portfolio.__new__(Portfolio)
    object.__setattr__(portfolio, "extensions", {})
    portfolio.extend("visitors", [1, 2])
    with pytest.raises(ValueError, match="already added"):
        portfolio.extend("visitors", [3])
    with pytest.raises(TypeError, match="not a dict"):
        portfolio.extension("visitors", dict)
    assert (
        portfolio.extension("visitors", list) == [1, 2]
        and portfolio.extension("other", list) is None
    )
