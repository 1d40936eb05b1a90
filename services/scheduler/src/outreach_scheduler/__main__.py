"""`python -m outreach_scheduler`: run the scheduler service."""

from __future__ import annotations

from outreach_common.runtime import serve

from outreach_scheduler.bootstrap import build
from outreach_scheduler.config import Settings


def main() -> None:
    """Run the service until stopped."""
    settings = Settings()
    serve(build(settings), settings)


if __name__ == "__main__":
    main()
