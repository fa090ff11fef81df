"""Signed mail (issue 25, part 5): every message S/MIME-signed with a certificate and key from
outside the workspace, verified by the `openssl smime -verify` command line against the issuing CA;
PGP/MIME verified by `gpg --verify` where gpg is present; a bad certificate stops the send."""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.conftest import TOML, run_cli, write_workspace

AS_OF = ("--as-of", "2026-11-15")
SMIME = '\n[signing]\nmethod = "smime"\n'


def pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def usage(**on: bool) -> x509.KeyUsage:
    names = (
        "digital_signature content_commitment key_encipherment data_encipherment key_agreement"
        " key_cert_sign crl_sign encipher_only decipher_only"
    ).split()
    return x509.KeyUsage(**{name: on.get(name, False) for name in names})


def issue(folder, days=(-1, 365), address="reports@example.com"):
    """A CA, and a certificate it issues for `address` (valid `days` from now): their paths."""
    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(1)
        .not_valid_before(now - timedelta(days=2)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.EMAIL_ADDRESS, address)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
        .not_valid_before(now + timedelta(days=days[0]))
        .not_valid_after(now + timedelta(days=days[1]))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(address)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(usage(digital_signature=True, content_commitment=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.pem" for name in ("ca", "cert", "key")}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(pem_key(key))
    return paths


def smime_env(paths) -> dict:
    return {"BOARDPACK_SMIME_CERT": str(paths["cert"]), "BOARDPACK_SMIME_KEY": str(paths["key"])}


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not on this machine")
def test_every_message_is_signed_and_openssl_verifies_it(tmp_path):
    paths = issue(tmp_path / "keys")
    root = write_workspace(tmp_path / "ws", TOML + SMIME)
    done = run_cli("send", "-w", str(root), *AS_OF, env=smime_env(paths))
    assert done.returncode == 0, done.stderr
    files = sorted((root / "outbox" / "2026-10").glob("*.eml"))
    assert len(files) == 2
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert message.get_content_type() == "multipart/signed"
        assert message["Subject"].startswith("Small Co") and message["X-Boardpack-Delivery"]
        # the reader's client still finds the report inside the signature
        assert "IN BRIEF" in message.get_body(("plain",)).get_content()
        verify = subprocess.run(
            ["openssl", "smime", "-verify", "-in", str(path), "-CAfile", str(paths["ca"]),
             "-out", os.devnull],
            capture_output=True, text=True,
        )  # fmt: skip
        assert verify.returncode == 0 and "Verification successful" in verify.stderr, verify.stderr
    # one byte of the report changed: the signature no longer holds
    tampered = tmp_path / "tampered.eml"
    tampered.write_bytes(files[0].read_bytes().replace(b"IN BRIEF", b"IN BRIEf", 1))
    bad = subprocess.run(
        ["openssl", "smime", "-verify", "-in", str(tampered), "-CAfile", str(paths["ca"]),
         "-out", os.devnull],
        capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode != 0


@pytest.mark.parametrize(
    "case, words",
    [
        ("expired", "the S/MIME certificate expired on"),
        ("not yet", "the S/MIME certificate is not valid until"),
        ("another key", "do not belong together"),
        ("inside", "is inside the workspace"),
        ("missing", 'method = "smime" needs BOARDPACK_SMIME_CERT'),
        ("not pem", "is not a PEM certificate"),
    ],
)
def test_a_bad_certificate_stops_the_send_before_anything_is_planned(tmp_path, case, words):
    days = {"expired": (-30, -1), "not yet": (5, 30)}.get(case, (-1, 365))
    paths = issue(tmp_path / "keys", days)
    root = write_workspace(tmp_path / "ws", TOML + SMIME)
    env = smime_env(paths)
    if case == "another key":
        paths["key"].write_bytes(pem_key(ec.generate_private_key(ec.SECP256R1())))
    elif case == "inside":
        shutil.copy(paths["key"], root / "key.pem")
        env["BOARDPACK_SMIME_KEY"] = str(root / "key.pem")
    elif case == "missing":
        env = {}
    elif case == "not pem":
        paths["cert"].write_text("not a certificate")
    for command in ("check", "send"):
        done = run_cli(command, "-w", str(root), *AS_OF, env=env)
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
    assert not (root / "outbox").exists()
    runs = run_cli("runs", "-w", str(root), "--json").stdout
    assert '"deliveries": []' in runs


def signed_parts(raw: bytes) -> tuple[bytes, bytes]:
    """The signed entity's exact bytes and the signature, from a multipart/signed message."""
    boundary = re.search(rb'boundary="([^"]+)"', raw)[1]
    body = raw.split(b"\r\n\r\n", 1)[1]
    parts = body.split(b"--" + boundary)
    entity = parts[1][2:-2]  # after the boundary line's CRLF, before the next one's
    signature = parts[2].split(b"\r\n\r\n", 1)[1]
    return entity, signature


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not on this machine")
def test_pgp_mime_signing_verifies_with_gpg(tmp_path):
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {"GNUPGHOME": str(home)}
    made = subprocess.run(
        ["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
         "Reports <reports@example.com>", "ed25519", "sign", "never"],
        env=os.environ | env, capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    root = write_workspace(tmp_path / "ws", TOML + '\n[signing]\nmethod = "pgp"\n')
    done = run_cli(
        "send", "-w", str(root), *AS_OF, env=env | {"BOARDPACK_PGP_KEY": "reports@example.com"}
    )
    assert done.returncode == 0, done.stderr
    for path in (root / "outbox" / "2026-10").glob("*.eml"):
        entity, signature = signed_parts(path.read_bytes())
        (tmp_path / "entity").write_bytes(entity)
        (tmp_path / "entity.asc").write_bytes(signature)
        check = subprocess.run(
            ["gpg", "--verify", str(tmp_path / "entity.asc"), str(tmp_path / "entity")],
            env=os.environ | env, capture_output=True, text=True,
        )  # fmt: skip
        assert check.returncode == 0 and "Good signature" in check.stderr, check.stderr
