"""AWS clients from the standard credential chain, plus what the workspace's environment (and
`.env`) adds.

Credentials are never read from boardpack.toml. `AWS_ENDPOINT_URL` points every client at another
endpoint (a local moto_server in tests).
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
)

from boardpack.environment import Environment
from boardpack.errors import WorkspaceError

# Calls that must never be repeated by the SDK: SES has no idempotency token, so a retry after a
# lost reply would send the message twice. Retries are the dispatcher's job, with the audit store.
NO_RETRIES = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=30
)

CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "AccessDenied",
    "AccessDeniedException",
    "AuthFailure",
}


# One session per set of AWS settings, kept for the process: a new session reads botocore's service
# models from disk again (about 0.3 s a client), which a worker building many portfolios would pay
# each time. The key is every AWS_* setting the credential chain may read, so different settings
# never share one. A session may not resolve credentials or create clients from two threads at
# once, hence the lock.
_creating = threading.Lock()


def session(env: Environment) -> boto3.Session:
    settings = {k: v for k, v in (*os.environ.items(), *env.values.items()) if k.startswith("AWS_")}
    return _session(tuple(sorted(settings.items())))


@functools.lru_cache(maxsize=16)
def _session(settings: tuple[tuple[str, str], ...]) -> boto3.Session:
    env = dict(settings)
    return boto3.Session(
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
        aws_session_token=env.get("AWS_SESSION_TOKEN"),
        profile_name=env.get("AWS_PROFILE"),
    )


class Workspace(Protocol):
    """What a client needs of a workspace: its environment (the process's, with its `.env`)."""

    env: Environment


def client(workspace: Workspace, service: str, region: str | None, config: Config | None = None):
    """A client for the workspace's calls, or a WorkspaceError that says how to provide what is
    missing."""
    return _client(workspace.env, service, region, config)


def function_client(service: str, config: Config | None = None):
    """A client for a Lambda function's own calls (its queues, topic, table, bucket): the process's
    environment and the function's region (Lambda sets AWS_REGION)."""
    return _client(Environment(dict(os.environ)), service, None, config)


def _client(env: Environment, service: str, region: str | None, config: Config | None):
    try:
        s = session(env)
        region = region or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or s.region_name
        if not region:
            raise WorkspaceError(
                f"no AWS region for {service}: set region in boardpack.toml or AWS_REGION"
            )
        with _creating:
            if s.get_credentials() is None:
                raise WorkspaceError(
                    "AWS credentials not found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                    "or AWS_PROFILE, or run where an instance or task role is available"
                )
            return s.client(
                service, region_name=region, endpoint_url=env.get("AWS_ENDPOINT_URL"), config=config
            )
    except (BotoCoreError, ValueError) as exc:  # e.g. a profile that does not exist
        raise WorkspaceError(f"cannot set up the AWS {service} client: {exc}") from None


def error_code(exc: Exception) -> str:
    return (
        exc.response.get("Error", {}).get("Code", "")
        if isinstance(exc, ClientError)
        else type(exc).__name__
    )


def error_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Message", "") or str(exc)
    return str(exc)


def is_credential_error(exc: Exception) -> bool:
    return (
        isinstance(exc, (NoCredentialsError, PartialCredentialsError))
        or error_code(exc) in CREDENTIAL_CODES
    )


def unavailable(exc: Exception) -> bool:
    """The endpoint does not implement this call (an older or emulated API): use the fallback."""
    if not isinstance(exc, ClientError):
        return False
    code, status = error_code(exc), exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    # a bare 404: no such route (NotFoundException is a real answer)
    return code in ("UnknownOperationException", "NotImplemented", "InvalidAction") or (
        status == 404 and code in ("", "404")
    )
