"""Digests over TLS with a login, as a real deployment sends them: STARTTLS (port 587's way) or
TLS from the start (465), against a server on 127.0.0.1 with a certificate made for the test."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner
from digeststore import MONDAY, partners_file, seed
from mailserver import MailServer, mail_server

from matcher.cli import cli
from matcher.store import open_db
from matcher.store.ledger import ledger_rows

SECRET = "s3gr3t0-Piacenza!"


@pytest.fixture
def certificate(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test server's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)  # fmt: skip
    return cert, key


def send(tmp_path, server: MailServer, security: str, trusted) -> object:
    db = open_db(tmp_path / "m.db")
    seed(db)
    env = {**server.env(), "MATCHER_SMTP_SECURITY": security, "MATCHER_SMTP_USER": "matcher",
           "MATCHER_SMTP_PASSWORD": SECRET, "SSL_CERT_FILE": str(trusted),
           "MATCHER_HOME": str(tmp_path / "home"), "MATCHER_MAIL_FROM": ""}  # fmt: skip
    return CliRunner().invoke(cli, ["--db", str(tmp_path / "m.db"), "digest", "--partners",
                                    str(partners_file(tmp_path)), "--method", "bm25", "--now",
                                    MONDAY.isoformat()], env=env)  # fmt: skip


@pytest.mark.parametrize("security", ["starttls", "ssl"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # TLS from the start
def test_digests_go_out_over_tls_after_a_login(tmp_path, certificate, security):
    with mail_server(login=("matcher", SECRET), tls=certificate,
                     implicit_tls=security == "ssl") as server:  # fmt: skip
        result = send(tmp_path, server, security, certificate[0])
    assert result.exit_code == 0, result.output
    assert (len(server.received), server.logins) == (4, ["matcher"])


def test_a_server_whose_certificate_is_not_trusted_gets_nothing(tmp_path, certificate):
    with mail_server(login=("matcher", SECRET), tls=certificate) as server:
        result = send(tmp_path, server, "starttls", tmp_path / "nobody.pem")
    assert result.exit_code == 4
    assert "CERTIFICATE_VERIFY_FAILED" in result.output and SECRET not in result.output
    assert (server.received, server.logins) == ([], [])
    assert {row["state"] for row in ledger_rows(open_db(tmp_path / "m.db"))} == {"pending"}
