"""Outgoing mail: a ``Mailer`` protocol with a log backend (development: the whole
message, codes included, on the ``webwork.mail`` logger) and an SMTP backend.

The app holds one on ``app.state.mailer`` (chosen from the settings), so tests can swap
in one that keeps what would have been sent. Services never send: they queue a message
on the transactional outbox with :func:`send_after_commit`, and the worker sends it."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from webwork.config import Settings
from webwork.kit.outbox import MAIL, enqueue

log = logging.getLogger("webwork.mail")

SMTP_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class MailNotSent(Exception):
    """The mail server refused or could not be reached."""


class Mailer(Protocol):
    async def send(self, message: Message) -> None: ...


class LogMailer:
    def __init__(self, sender: str) -> None:
        self.sender = sender

    async def send(self, message: Message) -> None:
        log.info(
            "mail from %s to %s\nSubject: %s\n\n%s", self.sender, message.to, message.subject, message.body
        )


class SmtpMailer:
    """Stdlib smtplib in a worker thread, one connection per mail (mail is rare here)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, message: Message) -> None:
        try:
            await asyncio.to_thread(self._send, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailNotSent(f"{type(exc).__name__}: {exc}") from exc

    def _send(self, message: Message) -> None:
        s = self.settings
        email = EmailMessage()
        email["From"] = s.mail_from
        email["To"] = message.to
        email["Subject"] = " ".join(message.subject.split())  # a header is one line
        email.set_content(message.body)
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username is not None and s.smtp_password is not None:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(email)


def send_after_commit(session: AsyncSession, message: Message, *, regarding: str) -> None:
    """Send ``message`` once the request's transaction has committed, never inside it
    and never if it rolls back: the message is written to the outbox in the same
    transaction (``kit.outbox``), and the worker sends it through the configured mailer,
    retrying with backoff while the mail server is unreachable. ``regarding`` (whose
    mail it is, e.g. "member 12 in workspace 3") names it in the log if it cannot be
    sent."""
    payload = {"to": message.to, "subject": message.subject, "body": message.body, "regarding": regarding}
    enqueue(session, workspace_id=None, kind=MAIL, payload=payload)


async def send_queued(mailer: Mailer, payload: dict[str, Any]) -> None:
    """Send a mail the outbox holds (the worker's side of :func:`send_after_commit`);
    raises :class:`MailNotSent` (or what the mailer raises) for the worker to retry."""
    message = Message(to=payload["to"], subject=payload["subject"], body=payload["body"])
    try:
        await mailer.send(message)
    except Exception:
        log.warning("mail %r to %s (%s) not sent", message.subject, message.to, payload["regarding"])
        raise


def mailer_from(settings: Settings) -> Mailer:
    if settings.mail_backend == "smtp":
        return SmtpMailer(settings)
    return LogMailer(settings.mail_from)
