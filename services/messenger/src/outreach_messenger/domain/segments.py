"""SMS encoding and segment count: GSM-7 (160 a segment, 153 when split) or UCS-2 (70, 67 when split)."""

from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 basic character set and its extension table (extension characters take two septets).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Segments:
    """How an SMS body travels."""

    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int


def count(body: str) -> Segments:
    """Encoding, length in units and number of segments of `body`."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in body):
        units = sum(2 if c in GSM_EXTENSION else 1 for c in body)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return Segments(encoding, units, 1 if units else 0, single)
    return Segments(encoding, units, -(-units // multi), multi)
