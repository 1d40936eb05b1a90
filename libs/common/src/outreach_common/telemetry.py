"""OpenTelemetry set-up: a tracer provider with a console, OTLP or JSON-lines file exporter."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from opentelemetry import context, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, Decision, Sampler
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, TraceFlags
from opentelemetry.util.types import AttributeValue


class OutreachTracerProvider(TracerProvider):
    """The SDK's tracer provider, knowing the processors it was given, with a bulk path for root spans that
    start and end at once (an import's journeys: a million of them)."""

    def __init__(self, resource: Resource) -> None:
        super().__init__(resource=resource)
        self.processors: list[SpanProcessor] = []

    def add_span_processor(self, span_processor: SpanProcessor) -> None:
        """Register a processor (as the SDK does) and remember it."""
        super().add_span_processor(span_processor)
        self.processors.append(span_processor)

    def instant_roots(
        self, name: str, attributes: Sequence[Mapping[str, AttributeValue]], *, tracer: str = "outreach"
    ) -> list[str]:
        """One root span per item of `attributes`, started and ended now, as the SDK's tracer would make them
        of `tracer` (its id generator, its sampler's decision and attributes, its trace flags), handed ended to
        the processors; their W3C traceparents, in order. No span object is built when no processor would see
        it (about 2 us a span instead of 9); processors are not called `on_start` (ours do nothing there).
        With no processor, and a sampler that samples every root, only the ids are made, in bulk."""
        ids, sampler, root = self.id_generator, self.sampler, context.Context()
        random_ids = TraceFlags.RANDOM_TRACE_ID if self.id_generator.is_trace_id_random() else TraceFlags.DEFAULT
        if not self.processors and isinstance(ids, RandomIdGenerator) and _samples_every_root(sampler):
            return random_traceparents(len(attributes), TraceFlags.SAMPLED | random_ids)
        scope = InstrumentationScope(tracer, "", "")  # as `get_tracer(tracer)` names it
        now = time.time_ns()
        parents = []
        for item in attributes:
            trace_id, span_id = ids.generate_trace_id(), ids.generate_span_id()
            decision = sampler.should_sample(root, trace_id, name, SpanKind.INTERNAL, item)
            flags = (
                TraceFlags.SAMPLED if decision.decision is Decision.RECORD_AND_SAMPLE else TraceFlags.DEFAULT
            ) | random_ids
            parents.append(f"00-{trace_id:032x}-{span_id:016x}-{flags:02x}")
            if self.processors and decision.decision is not Decision.DROP:
                found = SpanContext(trace_id, span_id, False, TraceFlags(flags), decision.trace_state)
                span = ReadableSpan(name, found, resource=self.resource, attributes=decision.attributes,
                                    instrumentation_scope=scope, start_time=now, end_time=now)  # fmt: skip
                for processor in self.processors:
                    processor.on_end(span)
        return parents


def _samples_every_root(sampler: Sampler) -> bool:
    """Whether `sampler` records and samples every root span whatever its ids (the SDK's default, parent
    based on always-on, or always-on itself), read from its public description."""
    described = sampler.get_description()
    return described == ALWAYS_ON.get_description() or described.startswith(
        f"ParentBased{{root:{ALWAYS_ON.get_description()},"
    )


_NO_TRACE_ID, _NO_SPAN_ID = "0" * 32, "0" * 16


def random_traceparents(count: int, flags: int) -> list[str]:
    """`count` W3C traceparents of new random trace and span ids (as the SDK's random id generator makes
    them: never all zeros), from one read of the system's random source (about 1 us a root, against 5 through the
    sampler and the id generator one at a time: a million of them for a million-row import)."""
    hexed = os.urandom(24 * count).hex()
    suffix = f"-{flags:02x}"
    parents = []
    for start in range(0, 48 * count, 48):
        trace_id, span_id = hexed[start : start + 32], hexed[start + 32 : start + 48]
        while trace_id == _NO_TRACE_ID or span_id == _NO_SPAN_ID:  # one chance in 2**64 a root
            trace_id, span_id = os.urandom(16).hex(), os.urandom(8).hex()
        parents.append(f"00-{trace_id}-{span_id}{suffix}")
    return parents


class JsonLinesExporter(SpanExporter):
    """Appends one JSON line per span to a file (local runs and tests read traces from it)."""

    def __init__(self, path: str, service: str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.service = service

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write the spans."""
        lines = []
        for span in spans:
            ctx = span.get_span_context()
            if ctx is None:
                continue
            lines.append(
                json.dumps(
                    {
                        "service": self.service,
                        "name": span.name,
                        "trace_id": f"{ctx.trace_id:032x}",
                        "span_id": f"{ctx.span_id:016x}",
                        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
                        "kind": span.kind.name,
                        "start": span.start_time,
                        "end": span.end_time,
                        "attributes": {k: str(v) for k, v in (span.attributes or {}).items()},
                    }
                )
            )
        with self.path.open("a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
        return SpanExportResult.SUCCESS


def configure_tracing(
    service: str, *, exporter: str = "none", endpoint: str | None = None, file: str | None = None
) -> OutreachTracerProvider:
    """Install and return the global tracer provider for `service`."""
    provider = OutreachTracerProvider(Resource.create({"service.name": service}))
    span_exporter: SpanExporter | None = None
    if exporter == "jsonl":
        target = (file or ".local/traces/{service}.jsonl").format(service=service)
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(target, service)))
    elif exporter == "console":
        span_exporter = ConsoleSpanExporter()
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        span_exporter = OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter()
    if span_exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(provider)
    return provider
