"""How a live source calls AWS: retried with backoff in botocore's standard mode (reads only, so a
retry never does anything twice), a call that hangs given up, and every failure one LiveError
that says what could not be read — never a credential."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from boardpack import aws_clients
from boardpack.errors import LiveError, WorkspaceError


def retried(attempts: int) -> Config:
    return Config(
        retries={"mode": "standard", "max_attempts": attempts}, connect_timeout=5, read_timeout=30
    )


@contextmanager
def reading(what: str) -> Iterator[None]:
    """Calls to read `what` ("table Bookings", "CloudWatch"): a failure is a LiveError."""
    try:
        yield
    except ClientError as exc:
        code = aws_clients.error_code(exc)
        if aws_clients.is_credential_error(exc):
            raise LiveError(f"{what}: the credentials were refused ({code})") from None
        raise LiveError(f"{what}: {code}: {aws_clients.error_message(exc)}") from None
    except BotoCoreError as exc:  # unreachable, or a call that timed out past its retries
        raise LiveError(f"{what}: {type(exc).__name__}: {exc}") from None
    except WorkspaceError as exc:  # no credentials or no region: said how to give them
        raise LiveError(str(exc)) from None
