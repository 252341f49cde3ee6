"""OpenLineage events as graph facts: validation, typed models, mapping, file reading.

>>> from ingest.openlineage import read_events, validate_event, event_facts
"""

from ingest.openlineage.batch import BatchMapper
from ingest.openlineage.limits import MAX_DEPTH, check_event
from ingest.openlineage.mapping import RunOutcome, event_facts, idempotency_key, run_outcome
from ingest.openlineage.models import Event, parse_event
from ingest.openlineage.reading import RawEvent, read_events
from ingest.openlineage.validate import Violation, event_kind, validate_event

__all__ = [
    "MAX_DEPTH",
    "BatchMapper",
    "Event",
    "RawEvent",
    "RunOutcome",
    "Violation",
    "check_event",
    "event_facts",
    "event_kind",
    "idempotency_key",
    "parse_event",
    "read_events",
    "run_outcome",
    "validate_event",
]
