"""Sending e-mail: the SMTP settings from the environment, the connection, one send.

Host, port, user and password come only from MATCHER_SMTP_*; the password is never part of a
message, a log line, a report or an exception raised here.
"""

from __future__ import annotations

import base64
import ipaddress
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr

from matcher.errors import ConfigError, DigestError

SECURITY = ("starttls", "ssl", "none")
TIMEOUT = 60.0


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send; `password` stays out of repr()."""

    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str = ""
    password: str = field(default="", repr=False)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(env: Mapping[str, str]) -> SmtpSettings:
    """MATCHER_SMTP_HOST, _PORT (587, or 465 with ssl), _SECURITY (starttls, ssl, or none for
    a relay on this machine), _USER, _PASSWORD; ConfigError naming the variable."""
    host = env.get("MATCHER_SMTP_HOST", "").strip()
    if not host:
        raise ConfigError("MATCHER_SMTP_HOST is not set: digests need an SMTP server (see the "
                          "README, Digests), or use --dry-run")  # fmt: skip
    security = env.get("MATCHER_SMTP_SECURITY", "").strip().casefold()
    port_text = env.get("MATCHER_SMTP_PORT", "").strip()
    if not security:
        security = "ssl" if port_text == "465" else "starttls"
    if security not in SECURITY:
        raise ConfigError(f"MATCHER_SMTP_SECURITY={security!r}: use one of {', '.join(SECURITY)}")
    try:
        port = int(port_text) if port_text else (465 if security == "ssl" else 587)
    except ValueError:
        raise ConfigError(f"MATCHER_SMTP_PORT={port_text!r} is not a port number") from None
    if not 0 < port < 65536:
        raise ConfigError(f"MATCHER_SMTP_PORT={port_text!r} is not a port number")
    user, password = env.get("MATCHER_SMTP_USER", ""), env.get("MATCHER_SMTP_PASSWORD", "")
    if bool(user) != bool(password):
        raise ConfigError("set both MATCHER_SMTP_USER and MATCHER_SMTP_PASSWORD, or neither")
    if security == "none" and password and not _loopback(host):
        raise ConfigError(f"MATCHER_SMTP_SECURITY=none would send the password in clear to "
                          f"{host}: use starttls or ssl")  # fmt: skip
    return SmtpSettings(host, port, security, user, password)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An open, authenticated connection; DigestError (without secrets) when it fails."""
    context = ssl.create_default_context()
    client: smtplib.SMTP | None = None
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                      context=context)  # fmt: skip
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
            if settings.security == "starttls":
                client.starttls(context=context)
        if settings.user:
            client.login(settings.user, settings.password)
        return client
    except smtplib.SMTPAuthenticationError as exc:
        _close(client)
        raise DigestError(f"the SMTP server {settings.where} refused the login of "
                          f"{settings.user!r}: {describe(exc, settings)}") from None  # fmt: skip
    except (smtplib.SMTPException, OSError) as exc:
        _close(client)
        raise DigestError(f"cannot send through {settings.where} ({settings.security}): "
                          f"{describe(exc, settings)}") from None  # fmt: skip


def send(message: EmailMessage, smtp: smtplib.SMTP, recipients: list[str]) -> list[str]:
    """Hand one e-mail to the server; returns the recipients it refused (the others got it).
    Raises smtplib.SMTPException or OSError when the server did not take it."""
    sender = parseaddr(str(message["From"]))[1]
    refused = smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    return sorted(refused)


def describe(exc: BaseException, settings: SmtpSettings | None = None) -> str:
    """An SMTP failure in one line, with any trace of the password removed (a server may
    echo what it was sent)."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)  # fmt: skip
        text = f"{exc.smtp_code} {text}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "every recipient was refused: " + ", ".join(sorted(exc.recipients))
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(text.split())
    if settings and settings.password:
        for secret in _secret_forms(settings):
            text = text.replace(secret, "***")
    return text


def _secret_forms(settings: SmtpSettings) -> list[str]:
    password = settings.password
    plain = f"\0{settings.user}\0{password}".encode()
    forms = [password, base64.b64encode(password.encode()).decode(),
             base64.b64encode(plain).decode()]  # fmt: skip
    return [form for form in forms if form]


def _close(client: smtplib.SMTP | None) -> None:
    if client is None:
        return
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
