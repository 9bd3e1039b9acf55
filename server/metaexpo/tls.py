"""TLS for the one port: the operator's certificate, or a self-signed one for demos.

WebXR only runs in a secure context, so a headset on the LAN needs
``https://<lan-ip>:8000``. ``--certfile``/``--keyfile`` serve a real
certificate; ``--self-signed`` makes one for this machine's names and
addresses (``localhost``, the host name, every local IPv4/IPv6 address) and
keeps it in ``<data-dir>/tls/``, so the browser's "accept this certificate"
is asked once, not on every start. It is remade when it is about to expire
or no longer names this machine.

The certificate is made with the ``cryptography`` package; the key never
leaves the data folder and is written with mode 0600.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import oid

from metaexpo.config import Settings
from metaexpo.errors import ConfigError

#: How long a self-signed certificate is valid, and how close to its end it is remade.
VALID_DAYS = 397
RENEW_BEFORE_DAYS = 30
SUBJECT = "Metaverse Zhejiang Expo (self-signed)"


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """A certificate chain and its key, both PEM."""

    certfile: Path
    keyfile: Path


def with_tls(settings: Settings) -> Settings:
    """``settings`` with ``certfile``/``keyfile`` set to what to serve (a self-signed pair is
    made or reused under the data folder); unchanged for plain HTTP."""
    files = resolve_tls(
        settings.certfile, settings.keyfile, settings.self_signed, settings.data_dir
    )
    if files is None:
        return settings
    return settings.model_copy(
        update={"certfile": files.certfile, "keyfile": files.keyfile, "self_signed": False}
    )


def resolve_tls(
    certfile: Path | None, keyfile: Path | None, self_signed: bool, data_dir: Path
) -> TlsFiles | None:
    """The TLS files to serve with, or None for plain HTTP.

    Raises ConfigError for a half-given pair, a missing file, or both a certificate and
    ``--self-signed``.
    """
    if certfile is not None or keyfile is not None:
        if self_signed:
            raise ConfigError("give either --certfile/--keyfile or --self-signed, not both")
        if certfile is None or keyfile is None:
            raise ConfigError("--certfile and --keyfile go together: give both")
        for path in (certfile, keyfile):
            if not path.is_file():
                raise ConfigError(f"TLS file {path} does not exist")
        _check_pair(certfile, keyfile)
        return TlsFiles(certfile, keyfile)
    if self_signed:
        return ensure_self_signed(data_dir / "tls")
    return None


def _check_pair(certfile: Path, keyfile: Path) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as exc:
        raise ConfigError(f"cannot use {certfile} with {keyfile}: {exc}") from None


def local_names() -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) this machine answers to, for the certificate."""
    names = ["localhost"]
    host = socket.gethostname()
    if host and host not in names:
        names.append(host)
    ips = {"127.0.0.1", "::1"}
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(host, None):
            ips.add(str(info[4][0]).split("%", 1)[0])
    # The address the default route uses (the LAN address a headset will type in).
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.255.255.255", 1))
        ips.add(s.getsockname()[0])
    valid = sorted(ip for ip in ips if _is_ip(ip))
    return names, valid


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def ensure_self_signed(folder: Path, *, now: dt.datetime | None = None) -> TlsFiles:
    """A self-signed certificate in ``folder`` for this machine, made if missing or stale."""
    files = TlsFiles(folder / "self-signed.crt", folder / "self-signed.key")
    names, ips = local_names()
    moment = now or dt.datetime.now(dt.UTC)
    if _still_good(files, names, ips, moment):
        return files
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        staged = TlsFiles(Path(tmp) / "cert.pem", Path(tmp) / "key.pem")
        _make_certificate(staged, names, ips, moment)
        os.chmod(staged.keyfile, 0o600)
        expires = moment + dt.timedelta(days=VALID_DAYS)
        about = {"names": names, "ips": ips, "not_after": expires.isoformat()}
        _about(staged).write_text(json.dumps(about, indent=1) + "\n")
        # The sidecar goes last: until it names this pair, the pair is not trusted as current.
        _about(files).unlink(missing_ok=True)
        os.replace(staged.keyfile, files.keyfile)
        os.replace(staged.certfile, files.certfile)
        os.replace(_about(staged), _about(files))
    return files


def _still_good(files: TlsFiles, names: list[str], ips: list[str], now: dt.datetime) -> bool:
    """True if the stored certificate names this machine and is not close to expiring."""
    try:
        made = json.loads(_about(files).read_text())
        expires = dt.datetime.fromisoformat(made["not_after"])
        _check_pair(files.certfile, files.keyfile)
    except (OSError, ValueError, KeyError, TypeError, ConfigError):
        return False
    if expires - now < dt.timedelta(days=RENEW_BEFORE_DAYS):
        return False
    return set(names) <= set(made["names"]) and set(ips) <= set(made["ips"])


def _about(files: TlsFiles) -> Path:
    """The sidecar that records what a self-signed certificate covers and until when."""
    return files.certfile.with_suffix(".json")


def _make_certificate(files: TlsFiles, names: list[str], ips: list[str], now: dt.datetime) -> None:
    """An EC P-256 key and a certificate naming this machine, valid VALID_DAYS."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(oid.NameOID.COMMON_NAME, SUBJECT)])
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    files.keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    files.certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
