"""SMS through Twilio's Messages API (official SDK) and email through SMTP (aiosmtplib)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol

import aiohttp
import aiosmtplib
from outreach_common.twilio_session import TwilioSession
from twilio.base.exceptions import TwilioRestException

from outreach_messenger.adapters.errors import SendError

if TYPE_CHECKING:
    from outreach_messenger.config import Settings


class SmsProvider(Protocol):
    """Sends SMS."""

    async def send_sms(self, *, to: str, from_: str, body: str, status_callback: str) -> str:
        """Send; return the provider's message id."""
        ...


class EmailProvider(Protocol):
    """Sends email."""

    async def send_email(self, message: EmailMessage) -> str:
        """Send; return the message id."""
        ...


class TwilioSms(TwilioSession):
    """Twilio Messages API."""

    async def send_sms(self, *, to: str, from_: str, body: str, status_callback: str) -> str:
        """Create a message with a delivery status callback."""
        try:
            options = {"status_callback": status_callback} if status_callback else {}
            message = await self.client.messages.create_async(to=to, from_=from_, body=body, **options)
        except TwilioRestException as exc:
            retryable = exc.status == 429 or exc.status >= 500
            raise SendError(
                f"Twilio error {exc.code or exc.status}: {exc.msg}", retryable=retryable, code=exc.code
            ) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SendError(f"Twilio unreachable: {exc!r}", retryable=True) from exc
        return str(message.sid)


class SmtpEmail:
    """SMTP with optional STARTTLS and auth."""

    def __init__(self, settings: Settings) -> None:
        """The SMTP server the messenger's settings name."""
        self._options = {
            "hostname": settings.smtp_host,
            "port": settings.smtp_port,
            "username": settings.smtp_username,
            "password": settings.smtp_password,
            "start_tls": settings.smtp_starttls,
        }

    async def send_email(self, message: EmailMessage) -> str:
        """Send and return the Message-ID header."""
        try:
            await aiosmtplib.send(message, **self._options)  # type: ignore[arg-type]
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"SMTP refused the recipient: {exc}", retryable=False) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise SendError(f"SMTP {exc.code}: {exc.message}", retryable=400 <= exc.code < 500, code=exc.code) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendError(f"SMTP server unreachable: {exc!r}", retryable=True) from exc
        return str(message["Message-ID"])
