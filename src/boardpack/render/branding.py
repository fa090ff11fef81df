"""The workspace's look, checked once: a logo that really is an image, its accent colour, footer and
templates."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from boardpack.config import Workspace
from boardpack.errors import WorkspaceError

LOGO_FORMATS = {"PNG": "png", "JPEG": "jpeg", "GIF": "gif"}  # what every mail client shows
LOGO_LIMIT = 100_000  # bytes: it travels in every message
LOGO_HEIGHT = 40  # px, as shown
LOGO_PIXELS = (
    4_000_000  # a small file can claim a huge picture (a decompression bomb): refuse it unread
)


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
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        raise WorkspaceError(f"{key}: {path} does not exist: put the logo there, or remove {key}")
    data = path.read_bytes()
    if len(data) > LOGO_LIMIT:
        raise WorkspaceError(
            f"{key}: {path} is {len(data):,} bytes; it goes into every message, so keep it "
            f"under {LOGO_LIMIT:,} (a {LOGO_HEIGHT * 4} px wide PNG is plenty)"
        )
    try:
        with Image.open(
            path
        ) as image:  # reads the header only: the size is known before any pixel is
            kind, (width, height) = image.format, image.size
            if width * height > LOGO_PIXELS:
                raise WorkspaceError(
                    f"{key}: {path} is {width:,} × {height:,} pixels; a logo shown "
                    f"{LOGO_HEIGHT} px high needs far fewer (at most {LOGO_PIXELS:,})"
                )
            # reads the whole file: a truncated or corrupt image fails here, not in a mail client
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise WorkspaceError(
            f"{key}: {path} is not an image ({exc}); use a PNG, JPEG or GIF file"
        ) from None
    if kind not in LOGO_FORMATS:
        raise WorkspaceError(
            f"{key}: {path} is {kind}, which some mail clients do not show; use PNG, JPEG or GIF"
        )
    return Logo(
        data=data,
        subtype=LOGO_FORMATS[kind],
        width=max(1, round(width * LOGO_HEIGHT / height)),
        height=LOGO_HEIGHT,
    )


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
