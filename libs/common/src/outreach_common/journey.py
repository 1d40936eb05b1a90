"""One trace per contact journey: messages carry the W3C context of the span that produced them.

Kafka headers carry it from publisher to consumer (FastStream's telemetry middleware); the envelope's
`trace` field carries it where no span is active: through outboxes, durable timers and provider webhooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from opentelemetry import context, propagate, trace
from outreach_contracts.envelope import Envelope, TraceContext

from outreach_common.telemetry import OutreachTracerProvider

M = TypeVar("M", bound=Envelope)


def current() -> TraceContext | None:
    """The active span's context, or None outside any span."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if "traceparent" not in carrier:
        return None
    return TraceContext(traceparent=carrier["traceparent"], tracestate=carrier.get("tracestate"))


def _trace_id(context_: TraceContext) -> str:
    return (context_.traceparent or "").split("-")[1] if (context_.traceparent or "").count("-") == 3 else ""


def stamped(message: M, journey: TraceContext | dict[str, object] | None = None) -> M:
    """`message` with a trace context: its own if it has one; else the contact's `journey` (a stored
    context), continued by the active span when that span belongs to the same trace; else the active
    span's context."""
    if message.trace.traceparent:
        return message
    return _stamped(message, journey, current())


def stamper() -> Callable[[M, TraceContext | dict[str, object] | None], M]:
    """`stamped` for many messages made under one active span (a batch): the span's context is read once,
    not once a message (8 us each, the largest cost of a dispatch round's messages)."""
    active = current()

    def stamp(message: M, journey: TraceContext | dict[str, object] | None = None) -> M:
        return message if message.trace.traceparent else _stamped(message, journey, active)

    return stamp


def continuer() -> Callable[[TraceContext | dict[str, object] | None], TraceContext | None]:
    """For messages made under one active span without a context of their own: the context `stamped` would
    give one of them from its contact's `journey` (None: it keeps none). For encoders that build the JSON
    of many messages themselves."""
    active = current()
    return lambda journey: _continued(journey, active)


def _stamped(message: M, journey: TraceContext | dict[str, object] | None, active: TraceContext | None) -> M:
    found = _continued(journey, active)
    return message.model_copy(update={"trace": found}) if found is not None else message


def _continued(journey: TraceContext | dict[str, object] | None, active: TraceContext | None) -> TraceContext | None:
    stored = None
    if journey:
        stored = journey if isinstance(journey, TraceContext) else TraceContext.model_validate(journey)
    found = stored if stored and stored.traceparent else active
    if stored and active and _trace_id(stored) == _trace_id(active):
        found = active
    return found if found and found.traceparent else None


@contextmanager
def attached(trace_context: TraceContext | None) -> Iterator[None]:
    """Run the block as part of the given trace (nothing changes when there is none)."""
    if trace_context is None or not trace_context.traceparent:
        yield
        return
    carrier = {"traceparent": trace_context.traceparent}
    if trace_context.tracestate:
        carrier["tracestate"] = trace_context.tracestate
    token = context.attach(propagate.extract(carrier))
    try:
        yield
    finally:
        context.detach(token)


@contextmanager
def new_journey(name: str, **attributes: str | int) -> Iterator[None]:
    """A root span: the start of one contact's journey."""
    tracer = trace.get_tracer("outreach")
    with tracer.start_as_current_span(name, context=context.Context(), attributes=attributes):
        yield


def journey_roots(name: str, attributes: Sequence[dict[str, str | int]]) -> list[str]:
    """One root span per item of `attributes` (the start of as many journeys), each started and ended at
    once; their W3C traceparents, in order. For bulk paths: no context is attached per span, and under our
    provider no span object is built that no processor would see."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, OutreachTracerProvider):
        return provider.instant_roots(name, attributes, tracer="outreach")
    tracer = trace.get_tracer("outreach")
    root = context.Context()
    parents = []
    for item in attributes:
        span = tracer.start_span(name, context=root, attributes=item)
        span.end()
        found = span.get_span_context()
        parents.append(f"00-{found.trace_id:032x}-{found.span_id:016x}-{found.trace_flags:02x}")
    return parents


def mark(trace_context: TraceContext | None, name: str, **attributes: str | int) -> None:
    """A span of its own inside the journey `trace_context` (for work done on a batch, where no span per
    message runs); nothing when the message carries no trace."""
    if trace_context is None or not trace_context.traceparent:
        return
    with attached(trace_context):
        trace.get_tracer("outreach").start_span(name, attributes=attributes).end()
