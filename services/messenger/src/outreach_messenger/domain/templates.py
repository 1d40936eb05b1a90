"""Message templates for one contact: its variables, rendered in the limited sandbox of
`outreach_common.templates` (a missing variable is an error, never a raw placeholder)."""

from __future__ import annotations

from outreach_common.templates import TemplateFailedError
from outreach_common.templates import render as render_template
from outreach_contracts.contacts import ContactData

TemplateFailed = TemplateFailedError  # the name the messenger's handlers use


def variables(contact: ContactData) -> dict[str, object]:
    """Template variables: the contact's fields and custom fields (custom ones also at top level)."""
    base = contact.model_dump(exclude={"fields"})
    values = {k: v for k, v in base.items() if v is not None}
    return {**contact.fields, **values, "fields": dict(contact.fields)}


def render(template: str, contact: ContactData, *, html: bool = False) -> str:
    """The rendered text (values HTML-escaped for an HTML body), or TemplateFailed naming what is wrong."""
    return render_template(template, variables(contact), html=html)
