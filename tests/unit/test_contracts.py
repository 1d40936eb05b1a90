"""Contracts: strict, frozen, aware UTC, and every model round-trips through JSON."""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any

import pytest
from outreach_contracts.contacts import ContactImported
from outreach_contracts.registry import ALL_MODELS, ANY_MESSAGE
from outreach_contracts.topics import Topics
from pydantic import BaseModel, ValidationError

pytestmark = pytest.mark.unit


def sample(model: type[BaseModel]) -> dict[str, Any]:
    """A valid payload for `model` from its fields' examples (nested models built recursively)."""
    payload: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.examples:
            payload[name] = field.examples[0]
        elif field.is_required():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                payload[name] = sample(annotation)
            elif name == "occurred_at":
                payload[name] = "2026-03-09T14:00:00Z"
            else:
                raise AssertionError(f"{model.__name__}.{name} has no example")
    return payload


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_model_round_trips(model: type[BaseModel]) -> None:
    message = model.model_validate(sample(model))
    assert ANY_MESSAGE.validate_json(message.model_dump_json()) == message
    assert message.occurred_at.utcoffset().total_seconds() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    undocumented = [n for n, f in model.model_fields.items() if not f.description]
    assert undocumented == []


def test_naive_datetimes_are_rejected() -> None:
    payload = sample(ContactImported) | {"occurred_at": "2026-03-09T14:00:00"}
    with pytest.raises(ValidationError, match="timezone"):
        ContactImported.model_validate(payload)


def test_offsets_are_normalised_to_utc() -> None:
    event = ContactImported.model_validate(sample(ContactImported) | {"occurred_at": "2026-03-09T09:00:00-05:00"})
    assert event.occurred_at == datetime.fromisoformat("2026-03-09T14:00:00+00:00")
    assert event.occurred_at.tzname() == "UTC"


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        ContactImported.model_validate(sample(ContactImported) | {"surprise": 1})


def test_models_are_frozen() -> None:
    event = ContactImported.model_validate(sample(ContactImported))
    with pytest.raises(ValidationError):
        event.row = 9  # type: ignore[misc]


def test_type_discriminator_picks_the_model() -> None:
    for model in ALL_MODELS:
        literal = typing.get_args(model.model_fields["type"].annotation)
        assert literal == (model.__name__,)


def test_topics_are_versioned_and_prefixed() -> None:
    topics = Topics("t1.")
    assert all(t.startswith("t1.outreach.") and t.endswith(".v1") for t in topics.all())
    assert len(set(topics.all())) == len(topics.all())
