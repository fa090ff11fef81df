"""Settings that come from the environment (optionally a `.env` file), never from boardpack.toml.

Secrets live only here. The names used by earlier hand-run scripts are accepted as aliases.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from boardpack.errors import WorkspaceError

# canonical name -> aliases, first found wins (the real environment beats .env)
ALIASES = {
    "AWS_REGION": ("AWS_REGION", "SES_REGION"),
    "SES_FROM_ADDRESS": ("SES_FROM_ADDRESS", "SES_SENDER_EMAIL"),
    "SES_BCC_ADDRESS": ("SES_BCC_ADDRESS", "SES_BCC_EMAIL"),
    "SES_RECIPIENT_EMAIL": ("SES_RECIPIENT_EMAIL",),
    "SES_CONFIGURATION_SET": ("SES_CONFIGURATION_SET",),
}


@dataclass(frozen=True)
class Environment:
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path, environ: dict[str, str] | None = None) -> Environment:
        try:
            found = dotenv_values(root / ".env")
        except UnicodeDecodeError as exc:
            raise WorkspaceError(
                f"{root / '.env'}: not UTF-8 text ({exc.reason} at byte {exc.start:,}); save it as "
                "UTF-8"
            ) from None
        merged = {k: v for k, v in found.items() if v is not None}
        merged.update(os.environ if environ is None else environ)
        return cls(merged)

    def get(self, name: str) -> str | None:
        for alias in ALIASES.get(name, (name,)):
            if self.values.get(alias):
                return self.values[alias]
        return None

    @property
    def from_address(self) -> str | None:
        return self.get("SES_FROM_ADDRESS")

    @property
    def bcc_address(self) -> str | None:
        return self.get("SES_BCC_ADDRESS")

    @property
    def fallback_recipient(self) -> str | None:
        """The single recipient earlier scripts sent everything to."""
        return self.get("SES_RECIPIENT_EMAIL")
