"""Signed mail (`[signing] method`): every message a send makes — reports, drafts — as RFC 8551
S/MIME (`multipart/signed`, cryptography's PKCS#7 builder) or RFC 3156 PGP/MIME (`gpg`).

The key never comes from the workspace: S/MIME's certificate and key are PEM files named by
`BOARDPACK_SMIME_CERT` and `BOARDPACK_SMIME_KEY` (outside the workspace folder), PGP's key is the
one `BOARDPACK_PGP_KEY` names in the user's keyring. Both are checked before anything is planned:
a certificate that has expired, is not valid yet or does not match its key is exit 2.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from boardpack.config import Workspace
from boardpack.delivery.message import OutgoingMessage
from boardpack.errors import WorkspaceError

CONTENT_HEADERS = (b"content-type:", b"content-transfer-encoding:", b"mime-version:")


@dataclass(frozen=True)
class Signer:
    method: str  # smime | pgp
    cert: object = None  # cryptography's x509.Certificate
    key: object = None
    pgp_key: str = ""

    def sign(self, entity: bytes) -> tuple[bytes, bytes]:
        """(Content-Type header value, body) of the multipart/signed that carries `entity`."""
        if self.method == "smime":
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.serialization import pkcs7

            signed = (
                pkcs7.PKCS7SignatureBuilder()
                .set_data(entity)
                .add_signer(self.cert, self.key, hashes.SHA256())
                .sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
            )
            head, _, body = signed.partition(b"\r\n\r\n")
            content_type = next(
                line.split(b":", 1)[1].strip()
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-type:")
            )
            return content_type, body
        return self.pgp(entity)

    def pgp(self, entity: bytes) -> tuple[bytes, bytes]:
        done = subprocess.run(
            ["gpg", "--batch", "--yes", "--armor", "--detach-sign", "--digest-algo", "SHA256",
             "--local-user", self.pgp_key, "--output", "-"],
            input=entity,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace")[-300:]
            raise WorkspaceError(f"gpg could not sign with BOARDPACK_PGP_KEY: {said}")
        boundary = f"signed-{uuid.uuid4().hex}".encode()
        body = b"".join(
            [
                b"This is an OpenPGP/MIME signed message (RFC 3156).\r\n",
                b"--" + boundary + b"\r\n", entity, b"\r\n",
                b"--" + boundary + b"\r\n",
                b'Content-Type: application/pgp-signature; name="signature.asc"\r\n',
                b"Content-Disposition: attachment; filename=\"signature.asc\"\r\n\r\n",
                done.stdout.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
                b"--" + boundary + b"--\r\n",
            ]
        )  # fmt: skip
        content_type = (
            b'multipart/signed; micalg="pgp-sha256"; protocol="application/pgp-signature";'
            b' boundary="' + boundary + b'"'
        )
        return content_type, body


def signer_for(workspace: Workspace, now: datetime | None = None) -> Signer | None:
    """The workspace's signer, checked; None when `[signing]` is not set."""
    signing = workspace.settings.signing
    if signing is None:
        return None
    env = workspace.env
    if signing.method == "pgp":
        key = env.get("BOARDPACK_PGP_KEY")
        if not key:
            raise WorkspaceError(
                '[signing] method = "pgp" needs BOARDPACK_PGP_KEY: the id of a key in your gpg'
                " keyring (set it in the environment)"
            )
        if shutil.which("gpg") is None:
            raise WorkspaceError('[signing] method = "pgp" needs gpg on this machine: install it')
        return Signer("pgp", pgp_key=key)
    try:  # an optional extra: the Lambda bundle does without it
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise WorkspaceError(
            '[signing] method = "smime" needs the cryptography library: pip install'
            " 'boardpack[signing]'"
        ) from None
    cert_path, key_path = (
        pem(workspace, env.get(name), name)
        for name in ("BOARDPACK_SMIME_CERT", "BOARDPACK_SMIME_KEY")
    )
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except ValueError:
        raise WorkspaceError(
            f"BOARDPACK_SMIME_CERT: {cert_path} is not a PEM certificate"
        ) from None
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise WorkspaceError(
            f"BOARDPACK_SMIME_KEY: {key_path} is not an unencrypted PEM private key"
        ) from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    mine = key.public_key().public_bytes(serialization.Encoding.PEM, public)
    if cert.public_key().public_bytes(serialization.Encoding.PEM, public) != mine:
        raise WorkspaceError(
            "BOARDPACK_SMIME_CERT and BOARDPACK_SMIME_KEY do not belong together: the key is not"
            " the certificate's"
        )
    now = now or datetime.now(UTC)
    if now > cert.not_valid_after_utc:
        raise WorkspaceError(
            f"the S/MIME certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}: renew it"
            " (BOARDPACK_SMIME_CERT)"
        )
    if now < cert.not_valid_before_utc:
        raise WorkspaceError(
            f"the S/MIME certificate is not valid until {cert.not_valid_before_utc:%Y-%m-%d}"
        )
    return Signer("smime", cert=cert, key=key)


def pem(workspace: Workspace, named: str | None, variable: str) -> Path:
    if not named:
        raise WorkspaceError(
            f'[signing] method = "smime" needs {variable}: the path of a PEM file outside the'
            " workspace (set it in the environment)"
        )
    path = Path(named).expanduser().resolve()
    if path.is_relative_to(workspace.root.resolve()):
        raise WorkspaceError(
            f"{variable}: {named} is inside the workspace; keep the key and certificate outside"
            " it, where a shared or synced workspace cannot carry them"
        )
    if not path.is_file():
        raise WorkspaceError(f"{variable}: no such file {named}")
    return path


def signed(message: OutgoingMessage, signer: Signer) -> OutgoingMessage:
    """The message with its content (every Content-* header and the body) signed; the envelope
    headers (From, To, Subject, Message-ID...) stay outside the signature, as RFC 8551 has it."""
    head, _, body = message.raw.partition(b"\r\n\r\n")
    lines: list[bytes] = []
    for line in head.split(b"\r\n"):  # a folded line continues the header before it
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b"\r\n" + line
        else:
            lines.append(line)
    content = [x for x in lines if x.lower().startswith(CONTENT_HEADERS[:2])]
    outer = [x for x in lines if not x.lower().startswith(CONTENT_HEADERS)]
    content_type, signed_body = signer.sign(b"\r\n".join(content) + b"\r\n\r\n" + body)
    raw = b"\r\n".join(
        [*outer, b"MIME-Version: 1.0", b"Content-Type: " + content_type, b"", signed_body]
    )
    return replace(message, raw=raw)


def sign_all(signer: Signer | None, messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
    return messages if signer is None else [signed(m, signer) for m in messages]
