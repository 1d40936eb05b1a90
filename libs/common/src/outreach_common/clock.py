"""Injectable clocks: the system clock, a settable virtual clock, and a file-shared offset clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware UTC time."""

    def now(self) -> datetime:
        """Current instant, aware, UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        """Current instant, aware, UTC."""
        return datetime.now(UTC)


class VirtualClock:
    """A clock that moves only when told to (unit tests)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("virtual clock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        """Current virtual instant."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self._now += delta

    def set(self, instant: datetime) -> None:
        """Jump to `instant` (aware)."""
        self._now = instant.astimezone(UTC)


class OffsetClock:
    """Real time plus an offset in seconds read from a file, so separate processes share one virtual time."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def now(self) -> datetime:
        """Real time shifted by the file's offset (0 when missing or unreadable)."""
        try:
            offset = float(self._path.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            offset = 0.0
        return datetime.now(UTC) + timedelta(seconds=offset)

    def shift(self, seconds: float) -> None:
        """Move every process sharing the file forward by `seconds`."""
        try:
            current = float(self._path.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            current = 0.0
        tmp = self._path.with_suffix(".tmp")
        tmp.write_text(str(current + seconds))
        tmp.replace(self._path)


def clock_from(clock_file: str | None) -> Clock:
    """The offset clock when a file is configured, else the system clock."""
    return OffsetClock(Path(clock_file)) if clock_file else SystemClock()
