"""Timestamps as fixed-width ISO-8601 UTC strings, so that they compare as text in any store."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["now_iso", "to_iso"]


def _fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return _fmt(datetime.now(UTC))


def to_iso(value: str | float | datetime) -> str:
    """Normalise an ISO string (any offset), epoch seconds or datetime to the stored form.

    >>> to_iso("2024-05-01T10:00:00+02:00")
    '2024-05-01T08:00:00.000Z'
    """
    if isinstance(value, datetime):
        dt = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, (int, float)):
        dt = datetime.fromtimestamp(value, UTC)
    else:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
    return _fmt(dt)
