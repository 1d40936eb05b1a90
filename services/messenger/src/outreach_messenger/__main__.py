"""`python -m outreach_messenger`: run the messenger service."""

from __future__ import annotations

from outreach_common.runtime import serve

from outreach_messenger.bootstrap import build
from outreach_messenger.config import Settings


def main() -> None:
    """Run the service until stopped."""
    settings = Settings()
    serve(build(settings), settings)


if __name__ == "__main__":
    main()
