"""The mail kit: the log backend shows everything, the SMTP backend speaks smtplib, the
settings choose between them and refuse what cannot work."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

import pytest
from pydantic import ValidationError

from webwork.config import Settings
from webwork.kit.mail import LogMailer, MailNotSent, Message, SmtpMailer, mailer_from

MESSAGE = Message(
    to="someone@example.com", subject="Your code", body="Your confirmation code is ABCDE-FGHJK."
)


async def test_the_log_backend_logs_the_whole_message(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="webwork.mail"):
        await LogMailer(sender="webwork@example.com").send(MESSAGE)
    [record] = [r for r in caplog.records if r.name == "webwork.mail"]
    text = record.getMessage()
    assert "someone@example.com" in text and "Your code" in text and "ABCDE-FGHJK" in text


class _FakeSmtp:
    """Records what smtplib.SMTP would have been asked to do."""

    calls: list[tuple[str, Any]] = []
    fail_with: Exception | None = None

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls.append(("connect", (host, port)))

    def __enter__(self) -> _FakeSmtp:
        return self

    def __exit__(self, *_: object) -> None:
        self.calls.append(("quit", None))

    def starttls(self, context: object) -> None:
        self.calls.append(("starttls", None))

    def login(self, username: str, password: str) -> None:
        self.calls.append(("login", (username, password)))

    def send_message(self, message: EmailMessage) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.calls.append(
            ("send", (message["From"], message["To"], message["Subject"], message.get_content()))
        )


@pytest.fixture()
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[_FakeSmtp]:
    monkeypatch.setattr(smtplib, "SMTP", _FakeSmtp)
    _FakeSmtp.calls = []
    _FakeSmtp.fail_with = None
    return _FakeSmtp


def _smtp_settings(**fields: Any) -> Settings:
    values: dict[str, Any] = {
        "mail_backend": "smtp",
        "smtp_host": "mail.example.com",
        "smtp_port": 587,
        "smtp_username": "robot",
        "smtp_password": "s3cret",
        "smtp_starttls": True,
        "mail_from": "WebWork <webwork@example.com>",
    }
    return Settings(**(values | fields))


async def test_the_smtp_backend_sends_through_smtplib(fake_smtp: type[_FakeSmtp]) -> None:
    mailer = mailer_from(_smtp_settings())
    assert isinstance(mailer, SmtpMailer)
    await mailer.send(MESSAGE)
    assert fake_smtp.calls == [
        ("connect", ("mail.example.com", 587)),
        ("starttls", None),
        ("login", ("robot", "s3cret")),
        ("send", ("WebWork <webwork@example.com>", "someone@example.com", "Your code", MESSAGE.body + "\n")),
        ("quit", None),
    ]


async def test_plain_smtp_without_login(fake_smtp: type[_FakeSmtp]) -> None:
    await mailer_from(_smtp_settings(smtp_username=None, smtp_password=None, smtp_starttls=False)).send(
        MESSAGE
    )
    assert [name for name, _ in fake_smtp.calls] == ["connect", "send", "quit"]


@pytest.mark.parametrize(
    "failure", [smtplib.SMTPRecipientsRefused({}), ConnectionRefusedError(), TimeoutError()]
)
async def test_a_failed_delivery_is_mail_not_sent(fake_smtp: type[_FakeSmtp], failure: Exception) -> None:
    fake_smtp.fail_with = failure
    with pytest.raises(MailNotSent):
        await mailer_from(_smtp_settings()).send(MESSAGE)


def test_the_default_backend_is_the_log() -> None:
    assert isinstance(mailer_from(Settings()), LogMailer)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"mail_backend": "pigeon"}, "mail_backend"),
        ({"smtp_port": 0}, "smtp_port"),
        ({"smtp_port": 70000}, "smtp_port"),
        ({"smtp_password": None}, "smtp_password"),
        ({"smtp_username": None}, "smtp_username"),
        ({"mail_from": "nobody"}, "mail_from"),
        ({"mail_from": "a@example.com\r\nBcc: x@example.com"}, "mail_from"),
        ({"smtp_host": ""}, "smtp_host"),
    ],
)
def test_mail_settings_are_checked(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        _smtp_settings(**fields)


async def test_a_subject_stays_one_header_line(fake_smtp: type[_FakeSmtp]) -> None:
    """A workspace name with a line break cannot add headers (nor crash the send)."""
    await mailer_from(_smtp_settings()).send(
        Message("a@example.com", "Join Evil\r\nBcc: x@example.com", "hi")
    )
    [(_, (_, _, subject, _))] = [call for call in fake_smtp.calls if call[0] == "send"]
    assert subject == "Join Evil Bcc: x@example.com"
