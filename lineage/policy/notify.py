"""Webhook notification with retries: JSON POST, exponential back-off, bounded attempts.

The payload carries ids, labels, the risk and the evidence path, never a sampled value.
Retried: connection errors, timeouts, 429 and 5xx. Not retried: other 4xx (the receiver
said no; trying again will not change its mind).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Delivery", "post_webhook"]


@dataclass(slots=True)
class Delivery:
    """How a notification went: delivered or not, and each attempt's outcome."""

    delivered: bool = False
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "attempts": list(self.attempts)}


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def post_webhook(
    url: str,
    payload: Mapping[str, Any],
    *,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 5.0,
    headers: Mapping[str, str] | None = None,
) -> Delivery:
    """POST ``payload`` as JSON; up to ``1 + retries`` attempts, waiting ``backoff`` then
    doubling. Never raises for network trouble: the outcome is in the result."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"webhook URL must be http(s): {url!r}")
    body = json.dumps(payload, sort_keys=True, default=str).encode()
    out = Delivery()
    delay = backoff
    for attempt in range(1, retries + 2):
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **dict(headers or {})},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = int(response.status)
            error = ""
        except urllib.error.HTTPError as exc:
            status, error = int(exc.code), f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            status, error = (
                0,
                type(exc).__name__ + (f": {exc.reason}" if hasattr(exc, "reason") else ""),
            )
        out.attempts.append(
            {
                "attempt": attempt,
                "status": status,
                "error": error,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        if 200 <= status < 300:
            out.delivered = True
            return out
        if status and not _retryable(status):
            return out
        if attempt <= retries:
            time.sleep(delay)
            delay *= 2
    return out
