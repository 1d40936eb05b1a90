"""`python -m outreach_dialer`: run the dialer service."""

from __future__ import annotations

from outreach_common.runtime import serve

from outreach_dialer.bootstrap import build
from outreach_dialer.config import Settings


def main() -> None:
    """Run the service until stopped."""
    settings = Settings()
    serve(build(settings), settings)


if __name__ == "__main__":
    main()
