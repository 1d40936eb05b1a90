"""JSON logs with trace ids, and masking of phone numbers and email addresses."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

_PHONE = re.compile(r"(?<![\w.:/])\+?\(?\d[\d\s().-]{8,}\d(?![\w.:])")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")


def mask(text: str) -> str:
    """Mask phone numbers (keep the last 2 digits) and email local parts."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(_mask_phone, text)


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "***" + digits[-2:] if 10 <= len(digits) <= 15 else match.group(0)


class _MaskedTracebacks(logging.Formatter):
    """Tracebacks and stacks masked like messages (an exception's text often carries a number)."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's own name
        return mask(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging's own name
        return mask(super().formatStack(stack_info))


class _JsonFormatter(_MaskedTracebacks, JsonFormatter):
    """JSON lines with masked tracebacks."""


class _MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = ()
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            record.trace_id = format(span.trace_id, "032x")
            record.span_id = format(span.span_id, "016x")
        return True


LIBRARIES = ("aiokafka", "pymongo", "twilio", "faststream", "uvicorn.access", "httpx", "httpcore", "opentelemetry")


def configure_logging(service: str, *, level: str = "INFO", json_logs: bool = True) -> None:
    """Send logs to stderr, as JSON with the service name and trace ids, masking personal data."""
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(
            _JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
            )
        )
    else:
        handler.setFormatter(_MaskedTracebacks("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(_MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    chatter = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING  # libraries speak when asked
    for library in LIBRARIES:
        logging.getLogger(library).setLevel(chatter)
