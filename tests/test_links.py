"""Links that lead somewhere (issue 24, part 5): a to-do's own link, a link per finding area, the
report in the owner's archive — https only, escaped in HTML, plain in the text form."""

from __future__ import annotations

import json
import re

import pytest

from boardpack.config import load_workspace
from boardpack.errors import SourceErrors, WorkspaceError
from boardpack.pipeline import build_pack
from boardpack.render import render
from tests.conftest import AS_OF, GENERATED_AT, NOTE, TOML, write_workspace

LINKED = NOTE.replace(
    "- [ ] @cfo Renegotiate the lease (due 2026-11-20)",
    "- [ ] @cfo Renegotiate the lease (due 2026-11-20) <https://wiki.example.com/lease?a=1&b=2>",
).replace(
    "    action: Find a second supplier\n",
    "    action: Find a second supplier\n    url: https://wiki.example.com/suppliers\n",
)
LINKS = TOML + """
[links]
archive = "https://reports.example.com/{period}/{report}"
[links.findings]
finance = "https://wiki.example.com/finance"
"""


def pack_of(tmp_path, toml=LINKS, note=LINKED):
    root = write_workspace(tmp_path / "ws", toml, {"notes/co.md": note})
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_a_to_do_link_an_area_link_and_the_archive_link(tmp_path):
    pack = pack_of(tmp_path)
    lease = next(a for a in pack.results.agenda if a.title == "Renegotiate the lease")
    assert lease.url == "https://wiki.example.com/lease?a=1&b=2"
    finance = [f for f in pack.results.findings if f.area == "finance"]
    assert finance and {f.url for f in finance} == {"https://wiki.example.com/finance"}
    supplier = next(f for f in pack.results.findings if f.title.startswith("Key supplier"))
    assert supplier.url == "https://wiki.example.com/suppliers"  # the note's risk's own link
    ceo = next(d for d in pack.documents if d.id == "ceo")
    assert ceo.link == "https://reports.example.com/2026-10/ceo"
    text = render(ceo, "txt")
    assert "Online: https://reports.example.com/2026-10/ceo" in text
    assert "<https://wiki.example.com/lease?a=1&b=2>" in text  # plain, whole, to be copied
    html = render(ceo, "html")
    assert 'href="https://wiki.example.com/lease?a=1&amp;b=2"' in html  # escaped
    assert json.loads(render(ceo, "json"))["link"] == "https://reports.example.com/2026-10/ceo"


@pytest.mark.parametrize(
    "links, said",
    [
        ('archive = "http://reports.example.com/{period}"', "is not an https:// address"),
        ('archive = "https://reports.example.com/{month}"', "unknown placeholder {month}"),
        ('archive = "https://reports.example.com/{period"', "link template"),
        ('findings = { security = "javascript:alert(1)" }', "is not an https:// address"),
        ('findings = { security = "https://a b.example.com" }', "a space or a control character"),
    ],
)
def test_a_bad_link_in_the_config_is_refused(tmp_path, links, said):
    root = write_workspace(tmp_path / "ws", TOML + f"\n[links]\n{links}\n")
    with pytest.raises(WorkspaceError, match=re.escape(said)):
        load_workspace(root, environ={})


def test_a_to_do_link_that_is_not_https_is_named_by_its_line(tmp_path):
    note = NOTE.replace("(due 2026-11-20)", "(due 2026-11-20) <http://example.com/x>")
    with pytest.raises(
        SourceErrors, match=re.escape("notes/co.md:16: link 'http://example.com/x'")
    ):
        pack_of(tmp_path, TOML, note)
