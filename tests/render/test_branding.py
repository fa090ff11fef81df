"""The workspace's look: a logo embedded (never linked), its colour and footer, its own templates in
the sandbox; and every way of getting them wrong named, with exit 2 and nothing sent."""

import email
import io
import re
from email import policy

import pytest
from PIL import Image

from boardpack.config import load_workspace
from boardpack.delivery.plan import plan_messages
from boardpack.pipeline import build_pack, write_reports
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace


def png(width=120, height=40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#0f766e").save(buffer, "PNG")
    return buffer.getvalue()


BRANDING = """
[branding]
logo = "brand/logo.png"
accent = "#0f766e"
footer = "Small Co LLC <confidential>"
"""


def branded(tmp_path, toml=TOML + BRANDING, files=None):
    return write_workspace(tmp_path / "ws", toml, {"brand/logo.png": png(), **(files or {})})


def messages_of(root):
    ws = load_workspace(root, environ={})
    pack = build_pack(ws, AS_OF, generated_at=GENERATED_AT)
    messages, _ = plan_messages(ws, pack.documents, GENERATED_AT)
    return pack, [email.message_from_bytes(m.raw, policy=policy.default) for m in messages]


def test_the_logo_travels_inside_each_message_and_is_shown_by_cid(tmp_path):
    _, parsed = messages_of(branded(tmp_path))
    for message in parsed:
        html_part = message.get_body(("html",))
        (logo,) = [p for p in message.walk() if p.get_content_maintype() == "image"]
        assert (
            logo["Content-ID"] == "<logo@boardpack>" and logo.get_content_disposition() == "inline"
        )
        assert logo.get_content() == png()
        html = html_part.get_content()
        (img,) = re.findall(r"<img [^>]*>", html)
        assert 'src="cid:logo@boardpack"' in img and 'width="120"' in img and 'height="40"' in img
        assert "http" not in html.split("<body", 1)[1]  # nothing is linked


def test_files_carry_the_logo_as_data_and_every_form_the_footer(tmp_path):
    root = branded(tmp_path)
    pack = build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT)
    write_reports(pack, tmp_path / "out", ["html", "txt"])
    html = (tmp_path / "out" / "2026-10" / "cfo.html").read_text()
    assert 'src="data:image/png;base64,' in html
    assert "Small Co LLC &lt;confidential&gt;" in html  # the footer is text, escaped
    assert "#0f766e" in html  # the accent: section rules and chart bars
    assert "Small Co LLC <confidential>" in (tmp_path / "out" / "2026-10" / "cfo.txt").read_text()


def test_a_workspace_template_extends_the_built_in_one(tmp_path):
    template = (
        '{% extends "builtin/report.html.j2" %}\n'
        '{% block footer %}<p class="own">Prepared for {{ doc.title }} by {{ brand.footer }}</p>'
        "{% endblock %}\n"
    )
    root = branded(
        tmp_path, TOML + BRANDING + 'templates = "tpl"\n', {"tpl/report.html.j2": template}
    )
    _, parsed = messages_of(root)
    html = parsed[0].get_body(("html",)).get_content()
    assert "Prepared for CEO report — Small Co by Small Co LLC &lt;confidential&gt;" in html
    assert 'class="tile-value"' in html  # the rest is the built-in report
    assert "sent by boardpack" not in html  # the footer block was replaced


def test_a_workspace_template_replaces_the_built_in_one(tmp_path):
    template = (
        "<html><body><h1>{{ doc.title }}</h1>{% for m in doc.headline %}<p>{{ m.label }}</p>{%"
        " endfor %}</body></html>"
    )
    root = write_workspace(
        tmp_path / "ws", TOML + '[branding]\ntemplates = "tpl"\n', {"tpl/report.html.j2": template}
    )
    _, parsed = messages_of(root)
    html = parsed[0].get_body(("html",)).get_content()
    assert "<h1>CEO report — Small Co</h1>" in html and "Cash balance" in html


def check(root):
    """`boardpack send`: exit 2, the message, no traceback, and nothing in the outbox."""
    done = run_cli("send", "-w", str(root), "--as-of", "2026-11-15")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "outbox").exists() or not any((root / "outbox").rglob("*.eml"))
    return done.stderr


@pytest.mark.parametrize(
    "template, says",
    [
        (
            "<p>ok</p>\n<p>still ok</p>\n{% if %}\n",
            "tpl/report.html.j2:3: template syntax error: Expected an expression",
        ),
        (
            "{% for m in doc.headline %}\n{{ m.label }\n{% endfor %}",
            "tpl/report.html.j2:2: template syntax error",
        ),
    ],
)
def test_a_template_syntax_error_names_the_file_and_line(tmp_path, template, says):
    root = write_workspace(
        tmp_path / "ws", TOML + '[branding]\ntemplates = "tpl"\n', {"tpl/report.html.j2": template}
    )
    assert says in check(root)


@pytest.mark.parametrize(
    "expression",
    [
        "{{ doc.__class__.__mro__ }}",
        "{{ ''.__class__.__base__.__subclasses__() }}",
        "{{ doc.title.__class__.__init__.__globals__ }}",
    ],
)
def test_a_template_reaching_for_python_internals_is_refused(tmp_path, expression):
    root = write_workspace(
        tmp_path / "ws",
        TOML + '[branding]\ntemplates = "tpl"\n',
        {"tpl/report.html.j2": f"<p>fine</p>\n{expression}\n"},
    )
    stderr = check(root)
    assert "tpl/report.html.j2:2: the template sandbox refused this" in stderr
    assert "not Python objects" in stderr


def test_an_unknown_name_in_a_template_says_where(tmp_path):
    root = write_workspace(
        tmp_path / "ws",
        TOML + '[branding]\ntemplates = "tpl"\n',
        {"tpl/report.html.j2": "<p>{{ doc.title }}</p>\n\n<p>{{ doc.nonexistent }}</p>\n"},
    )
    assert "tpl/report.html.j2:3: template error:" in check(root)


@pytest.mark.parametrize(
    "toml, files, says",
    [
        (
            TOML + '[branding]\nlogo = "brand/missing.png"\n',
            {},
            "branding.logo: {root}/brand/missing.png does not exist",
        ),
        (
            TOML + '[branding]\nlogo = "brand/logo.png"\n',
            {"brand/logo.png": "<svg xmlns='http://www.w3.org/2000/svg'/>"},
            "branding.logo: {root}/brand/logo.png is not an image",
        ),
        (
            TOML + '[branding]\nlogo = "brand/logo.png"\n',
            {"brand/logo.png": png()[:60]},
            "branding.logo: {root}/brand/logo.png is not an image",
        ),
        (
            TOML + '[branding]\nlogo = "brand/logo.png"\n',
            {"brand/logo.png": png(4000, 4000)[:8] + bytes(200_000)},
            "branding.logo: {root}/brand/logo.png is 200,008 bytes",
        ),
        (
            TOML + '[branding]\ntemplates = "nowhere"\n',
            {},
            "branding.templates: {root}/nowhere is not a folder",
        ),
        (TOML + '[branding]\naccent = "red"\n', {}, "branding.accent"),
        (TOML + '[branding]\nlogo_url = "https://example.com/logo.png"\n', {}, "branding.logo_url"),
    ],
)
def test_bad_branding_is_a_clear_error(tmp_path, toml, files, says):
    root = write_workspace(tmp_path / "ws", toml, files)
    assert says.format(root=root) in check(root)


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (90, 30), "#0f766e").save(buffer, kind)
    return buffer.getvalue()


def flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


@pytest.mark.parametrize(
    ("made", "subtype"), [(lambda: image("GIF"), "gif"), (lambda: image("JPEG"), "jpeg")]
)
def test_a_gif_or_jpeg_logo_is_read_without_an_image_library(tmp_path, made, subtype):
    """Sized from its header by imagesize, known by its first bytes: no Pillow at run time."""
    from boardpack.render.branding import load_logo

    (tmp_path / "logo").write_bytes(made())
    logo = load_logo(tmp_path / "logo")
    assert (logo.subtype, logo.width, logo.height) == (subtype, 120, 40)  # 90 × 30 shown 40 high


@pytest.mark.parametrize(
    "made",
    [
        lambda: flipped(png(), 40),  # a byte of the pixels changed: its chunk's CRC fails
        lambda: png()[:-12],  # no IEND
        lambda: image("GIF")[:-1],  # no trailer
        lambda: image("JPEG")[:-2],  # no end-of-image marker
        lambda: image("BMP"),  # an image, but not one every mail client shows
        lambda: image("WEBP"),
    ],
    ids=["png-crc", "png-cut", "gif-cut", "jpeg-cut", "bmp", "webp"],
)
def test_a_corrupt_cut_or_unusual_logo_is_refused(tmp_path, made):
    from boardpack.errors import WorkspaceError
    from boardpack.render.branding import load_logo

    (tmp_path / "logo").write_bytes(made())
    with pytest.raises(WorkspaceError, match="is not an image every mail client shows"):
        load_logo(tmp_path / "logo")
