"""Bulk journey roots are the spans the SDK's tracer would make: same processors, fields, flags, sampling."""

from __future__ import annotations

import re

import pytest
from opentelemetry import context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, TraceIdRatioBased
from opentelemetry.trace import SpanKind
from outreach_common.telemetry import OutreachTracerProvider

pytestmark = pytest.mark.unit


def _provider() -> tuple[OutreachTracerProvider, InMemorySpanExporter]:
    provider = OutreachTracerProvider(Resource.create({"service.name": "ingest"}))
    exported = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    return provider, exported


def test_instant_roots_are_exported_like_the_tracers_own_root_spans() -> None:
    provider, exported = _provider()
    sdk = provider.get_tracer("outreach").start_span("contact imported", context.Context(), attributes={"row": 1})
    sdk.end()
    parents = provider.instant_roots(
        "contact imported", [{"import_id": "imp_1", "row": 2}, {"import_id": "imp_1", "row": 3}]
    )
    theirs, *ours = exported.get_finished_spans()
    assert len(ours) == 2 and len(set(parents)) == 2
    for span, parent, row in zip(ours, parents, (2, 3), strict=True):
        found = span.get_span_context()
        assert parent == f"00-{found.trace_id:032x}-{found.span_id:016x}-{found.trace_flags:02x}"
        assert found.trace_flags == theirs.get_span_context().trace_flags  # sampled, random trace id
        assert (span.name, span.kind, span.parent) == (theirs.name, SpanKind.INTERNAL, None)
        assert dict(span.attributes or {}) == {"import_id": "imp_1", "row": row}
        assert span.resource == theirs.resource and span.instrumentation_scope == theirs.instrumentation_scope
        assert span.start_time == span.end_time and span.start_time is not None
        assert found.trace_id != theirs.get_span_context().trace_id


def test_the_samplers_decision_is_kept() -> None:
    for sampler in (ALWAYS_OFF, TraceIdRatioBased(0.0)):
        provider, exported = _provider()
        provider.sampler = sampler  # type: ignore[misc]
        sdk = provider.get_tracer("outreach").start_span("x", context.Context())
        parents = provider.instant_roots("x", [{"row": 1}])
        assert exported.get_finished_spans() == ()
        assert parents[0].endswith(f"-{sdk.get_span_context().trace_flags:02x}") and parents[0].endswith("-02")


def test_without_processors_only_the_ids_are_made() -> None:
    provider = OutreachTracerProvider(Resource.create({}))
    parents = provider.instant_roots("x", [{"row": i} for i in range(1000)])
    assert len(set(parents)) == 1000 and all(p.startswith("00-") and p.endswith("-03") for p in parents)


def test_without_processors_the_default_sampler_takes_the_bulk_path() -> None:
    provider = OutreachTracerProvider(Resource.create({}))
    asked: list[int] = []
    provider.id_generator.generate_trace_id = lambda: asked.append(1) or 1  # type: ignore[method-assign]
    parents = provider.instant_roots("x", [{"row": i} for i in range(2000)])
    assert asked == []  # ids made in bulk, not one at a time
    assert all(re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-03", p) for p in parents)
    assert len({p[3:35] for p in parents}) == len({p[36:52] for p in parents}) == 2000


def test_without_processors_a_sampler_that_may_drop_roots_still_decides_each() -> None:
    provider = OutreachTracerProvider(Resource.create({}))
    provider.sampler = TraceIdRatioBased(0.0)  # type: ignore[misc]
    assert all(p.endswith("-02") for p in provider.instant_roots("x", [{"row": i} for i in range(10)]))
