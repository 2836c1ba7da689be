"""A real SMTP server on 127.0.0.1 for the digests' tests (aiosmtpd's Controller): it keeps
what it accepts, can refuse a login, and can call back when a transaction starts or ends."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        # A long subject is folded after "Subject:"; Python's parser keeps the fold's space.
        return str(self.message["Subject"]).strip()

    def text(self) -> str:
        body = self.message.get_body(("plain",))
        text = body.get_content() if body is not None else ""  # type: ignore[attr-defined]
        return str(text).replace("\r\n", "\n")  # as sent over SMTP

    def html(self) -> str:
        body = self.message.get_body(("html",))
        text = body.get_content() if body is not None else ""  # type: ignore[attr-defined]
        return str(text).replace("\r\n", "\n")


@dataclass
class MailServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    # Called with the number of e-mails accepted so far, when a transaction starts (MAIL FROM)
    # and when one has been received in full (before the server answers 250).
    on_mail: Callable[[int], None] | None = None
    on_data: Callable[[int], None] | None = None
    logins: list[str] = field(default_factory=list)  # users whose login was accepted

    def env(self) -> dict[str, str]:
        return {"MATCHER_SMTP_HOST": self.host, "MATCHER_SMTP_PORT": str(self.port),
                "MATCHER_SMTP_SECURITY": "none"}  # fmt: skip

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:  # fmt: skip
        if self.server.on_mail is not None:
            self.server.on_mail(len(self.server.received))
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.server.on_data is not None:
            self.server.on_data(len(self.server.received))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def mail_server(
    *,
    refuse_login: bool = False,
    login: tuple[str, str] | None = None,
    tls: tuple[Path, Path] | None = None,
    implicit_tls: bool = False,
) -> Iterator[MailServer]:
    """Serve on 127.0.0.1 while the block runs. With `refuse_login`, logins are required and
    every one is refused (535); with `login`, only that user and password are accepted. With
    `tls` (certificate, key): STARTTLS is required, or with `implicit_tls` the connection is
    TLS from the start (port 465's way)."""
    server = MailServer("127.0.0.1", _free_port())
    options: dict[str, Any] = {}
    if refuse_login or login:

        def check(_server: Any, _session: Any, _envelope: Any, _mechanism: str,
                  data: Any) -> AuthResult:  # fmt: skip
            given = (data.login.decode(), data.password.decode())
            if login is not None and given == login:
                server.logins.append(given[0])
                return AuthResult(success=True)
            return AuthResult(success=False, handled=False)

        # aiosmtpd knows only STARTTLS as TLS: a connection TLS from the start must allow AUTH
        options.update(authenticator=check, auth_required=True,
                       auth_require_tls=bool(tls) and not implicit_tls)  # fmt: skip
    if tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls)
        if implicit_tls:
            options["ssl_context"] = context
        else:
            options.update(tls_context=context, require_starttls=True)
    controller = Controller(_Handler(server), hostname="127.0.0.1", port=server.port, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


__all__ = ["LoginPassword", "MailServer", "Received", "mail_server"]
