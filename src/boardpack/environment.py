"""Settings that come from the environment (optionally a `.env` file), never from boardpack.toml.

Secrets live only here. The names used by earlier hand-run scripts are accepted as aliases.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from boardpack.errors import WorkspaceError
from boardpack.files import read_bytes, within

ENV_BYTES = 100_000  # a .env holds a few settings
STRIPE_API_BASE = "STRIPE_API_BASE"


def own_aws_key(found: dict[str, str]) -> bool:
    return bool(found.get("AWS_ACCESS_KEY_ID") and found.get("AWS_SECRET_ACCESS_KEY"))


def own_stripe_key(found: dict[str, str]) -> bool:
    return any(v.startswith(("sk_", "rk_")) for v in found.values())


# Where the AWS and Stripe calls go and whose credentials sign them: a workspace's .env may say
# these only beside a key it gives itself, never to point the operator's own credentials elsewhere.
REDIRECTS = {
    "AWS_ENDPOINT_URL": own_aws_key,
    "AWS_PROFILE": own_aws_key,
    "AWS_CONFIG_FILE": own_aws_key,
    "AWS_SHARED_CREDENTIALS_FILE": own_aws_key,
    STRIPE_API_BASE: own_stripe_key,
}

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
        """The workspace's `.env` (values as written: `${VAR}` is not expanded, so a workspace
        cannot copy the operator's own settings into an address or a message), under the real
        environment."""
        found = {k: v for k, v in dotenv(root / ".env").items() if v is not None}
        found = {k: v for k, v in found.items() if k not in REDIRECTS or REDIRECTS[k](found)}
        return cls(found | dict(os.environ if environ is None else environ))

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


def dotenv(file: Path) -> dict[str, str | None]:
    """A workspace's `.env`: a regular file inside the workspace, read without interpolation."""
    if not (file.exists() or file.is_symlink()):
        return {}
    if not within(file.parent, file):
        raise WorkspaceError(
            f"{file} is a link to {file.resolve()}, outside the workspace; boardpack reads only "
            "inside the workspace: put the settings in the file itself"
        )
    try:
        text = read_bytes(file, ".env", ENV_BYTES).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkspaceError(
            f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start:,}); save it as UTF-8"
        ) from None
    return dotenv_values(stream=io.StringIO(text), interpolate=False)
