"""Provider webhooks: the form of a request whose Twilio signature checks out, else 403."""

from __future__ import annotations

from fastapi import HTTPException, Request


async def verified_form(request: Request) -> dict[str, str]:
    """The form parameters; the app keeps a `RequestValidator` in `state.validator` and the public base URL
    (the one the provider signed) in `state.settings.public_url`."""
    form = await request.form()
    params = {k: str(v) for k, v in form.multi_items()}
    url = request.app.state.settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    if not request.app.state.validator.validate(url, params, request.headers.get("X-Twilio-Signature", "")):
        raise HTTPException(403, "invalid X-Twilio-Signature")
    return params
