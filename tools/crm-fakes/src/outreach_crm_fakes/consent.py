"""The consent step every fake CRM's OAuth shares: consent is given at once, and the person is sent back to
the app with a new authorization code, which works once and only with the same redirect URI."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse


@dataclass
class Codes:
    """Authorization codes given and not yet used (code -> redirect URI)."""

    given: dict[str, str] = field(default_factory=dict)

    def back(self, redirect_uri: str, state: str) -> RedirectResponse:
        """The redirect back to the app with a new code and the app's state."""
        code = secrets.token_urlsafe(12)
        self.given[code] = redirect_uri
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=302)

    def take(self, code: object, redirect_uri: object) -> bool:
        """Whether `code` was given for `redirect_uri` and not used yet (it is used now)."""
        return self.given.pop(str(code), None) == redirect_uri
