"""Rendering message templates in a Jinja2 sandbox; a missing variable is an error, never a raw placeholder."""

from __future__ import annotations

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from outreach_contracts.contacts import ContactData

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class TemplateFailed(ValueError):  # noqa: N818 - reads as "the template failed"
    """A template that cannot be rendered for this contact, with the reason."""


def variables(contact: ContactData) -> dict[str, object]:
    """Template variables: the contact's fields and custom fields (custom ones also at top level)."""
    base = contact.model_dump(exclude={"fields"})
    values = {k: v for k, v in base.items() if v is not None}
    return {**contact.fields, **values, "fields": dict(contact.fields)}


def render(template: str, contact: ContactData) -> str:
    """The rendered text, or TemplateFailed naming what is missing."""
    try:
        return _ENV.from_string(template).render(variables(contact))
    except TemplateError as exc:
        raise TemplateFailed(f"template error: {exc.message}") from exc
