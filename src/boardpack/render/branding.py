"""The workspace's look, checked once: a logo that really is an image, its accent colour, footer and
templates."""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from boardpack.config import Workspace
from boardpack.errors import WorkspaceError

# what every mail client shows, known by the bytes its files begin with
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
    b"\xff\xd8\xff": "jpeg",
}
LOGO_LIMIT = 100_000  # bytes: it travels in every message
LOGO_HEIGHT = 40  # px, as shown
# a small file can claim a huge picture (a decompression bomb): refuse it unread
LOGO_PIXELS = 4_000_000


@dataclass(frozen=True)
class Logo:
    data: bytes
    subtype: str  # image/<subtype>
    width: int  # as shown, at LOGO_HEIGHT
    height: int
    cid: str = "logo@boardpack"

    def src(self, embed: str) -> str:
        """`cid:` in an email (the image travels as a part of the message); a data: URI in a file or
        PDF."""
        if embed == "cid":
            return f"cid:{self.cid}"
        return f"data:image/{self.subtype};base64,{base64.b64encode(self.data).decode()}"


@dataclass(frozen=True)
class Brand:
    accent: str = "#1d4ed8"
    footer: str = ""
    logo: Logo | None = None
    templates: Path | None = None  # the workspace's template folder, searched before the built-ins


PLAIN = Brand()


def load_logo(path: Path, key: str = "branding.logo") -> Logo:
    if not path.is_file():
        raise WorkspaceError(f"{key}: {path} does not exist: put the logo there, or remove {key}")
    data = path.read_bytes()
    if len(data) > LOGO_LIMIT:
        raise WorkspaceError(
            f"{key}: {path} is {len(data):,} bytes; it goes into every message, so keep it "
            f"under {LOGO_LIMIT:,} (a {LOGO_HEIGHT * 4} px wide PNG is plenty)"
        )
    kind = next((k for sig, k in SIGNATURES.items() if data.startswith(sig)), None)
    # the size from the header alone, before any pixel is decoded (by anyone)
    import imagesize

    width, height = imagesize.get(path) if kind else (-1, -1)
    if kind is None or width <= 0 or height <= 0 or not complete(kind, data):
        raise WorkspaceError(
            f"{key}: {path} is not an image every mail client shows, or is cut short: use a "
            "PNG, JPEG or GIF file"
        )
    if width * height > LOGO_PIXELS:
        raise WorkspaceError(
            f"{key}: {path} is {width:,} × {height:,} pixels; a logo shown "
            f"{LOGO_HEIGHT} px high needs far fewer (at most {LOGO_PIXELS:,})"
        )
    return Logo(
        data=data,
        subtype=kind,
        width=max(1, round(width * LOGO_HEIGHT / height)),
        height=LOGO_HEIGHT,
    )


def complete(kind: str, data: bytes) -> bool:
    """Whether the file is whole, so a truncated or corrupt one fails here, not in a mail client:
    a PNG's chunks each pass their CRC up to IEND; a GIF ends with its trailer, a JPEG with EOI."""
    if kind == "gif":
        return data.endswith(b";")
    if kind == "jpeg":
        return data.rstrip(b"\0").endswith(b"\xff\xd9")
    at = 8
    while at + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, at)
        chunk = data[at + 4 : at + 8 + length]
        if at + 12 + length > len(data):
            return False
        if struct.unpack_from(">I", data, at + 8 + length)[0] != zlib.crc32(chunk):
            return False
        if chunk[:4] == b"IEND":
            return True
        at += 12 + length
    return False


def brand_for(workspace: Workspace) -> Brand:
    settings = workspace.settings.branding
    templates = None
    if settings.templates:
        templates = workspace.path(settings.templates, "branding.templates")
        if not templates.is_dir():
            raise WorkspaceError(
                f"branding.templates: {templates} is not a folder: create it, or remove the key"
            )
    logo = load_logo(workspace.path(settings.logo, "branding.logo")) if settings.logo else None
    return Brand(accent=settings.accent, footer=settings.footer, logo=logo, templates=templates)
