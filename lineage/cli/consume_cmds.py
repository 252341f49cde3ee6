"""``lineage consume kafka``: OpenLineage events from a Kafka topic into the graph.

Emitters at volume (the Python client's KafkaTransport, the Spark and Flink integrations)
send to Kafka. The consumer is at least once, and the intake makes it exactly once in the
graph:

* offsets are committed (synchronously) only after the polled events are in the durable
  event log (:meth:`lineage.intake.Intake.submit` returns after the fsync), so a crash
  re-delivers, never skips;
* a re-delivered event has the same idempotency key: the log drops it, nothing changes;
* a poison message (not JSON, not an event, refused by validation) is reported on stderr
  with its topic, partition and offset and skipped; its offset is committed with the rest,
  so it never wedges the partition;
* SIGTERM/SIGINT finish the batch in hand, commit, leave the group and close the store.

confluent-kafka (librdkafka, wheels bundle it) was chosen over kafka-python: explicit
synchronous commits of consumed positions, batched ``consume``, cooperative group
rebalancing and maintained releases for current brokers.
"""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import replace
from typing import Annotated, Any

import typer

from lineage.cli._app import out, store_session
from lineage.errors import ParseError
from lineage.intake import Intake

__all__ = ["consume_app", "kafka"]

consume_app = typer.Typer(
    help="Consume OpenLineage events from a message bus (Kafka) into the graph, at least once."
)


def _poison(msg: Any, reason: str) -> None:
    where = f"{msg.topic()}[{msg.partition()}]@{msg.offset()}"
    print(json.dumps({"poison": where, "offset": msg.offset(), "reason": reason[:300]}),
          file=sys.stderr, flush=True)  # fmt: skip


@consume_app.command("kafka")
def kafka(
    bootstrap: Annotated[str, typer.Option(help="Kafka bootstrap servers (host:port,...).")],
    topic: Annotated[list[str], typer.Option(help="Topic(s) to consume (repeatable).")],
    group: Annotated[str, typer.Option(help="Consumer group id.")] = "lineage",
    batch: Annotated[int, typer.Option(min=1, help="Messages per poll and per commit.")] = 500,
    idle_exit: Annotated[
        float,
        typer.Option(
            help="Stop after this many seconds with partitions and no message (0: never)."
        ),
    ] = 0.0,
) -> None:
    """Consume OpenLineage events from Kafka topics, at least once; poison messages are
    reported with their offset and skipped."""
    from confluent_kafka import Consumer, KafkaError

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "partition.assignment.strategy": "cooperative-sticky",
            # a crashed consumer's partitions move to the others after 10 s (default 45)
            "session.timeout.ms": 10000,
        }
    )
    stop = False
    assigned = False

    def _assigned(*_: Any) -> None:
        nonlocal assigned
        assigned = True

    def _stop(*_: Any) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    consumer.subscribe(topic, on_assign=_assigned)
    totals = {"messages": 0, "accepted": 0, "duplicates": 0, "poison": 0}
    idle = 0.0
    with store_session() as store:
        intake = Intake.open(store)
        try:
            intake.recover()
            while not stop:
                msgs = consumer.consume(num_messages=batch, timeout=1.0)
                if not msgs:
                    idle += 1.0 if assigned else 0.0  # idle only once partitions are ours
                    if idle_exit and idle >= idle_exit:
                        break
                    continue
                idle = 0.0
                _handle(intake, msgs, totals, KafkaError)
                consumer.commit(asynchronous=False)  # after the log fsync: at least once
        finally:
            consumer.close()  # leave the group at once: partitions move without a timeout
            intake.close()
    out.print(
        f"consumed {totals['messages']} messages: {totals['accepted']} events accepted, "
        f"{totals['duplicates']} duplicates, {totals['poison']} poison skipped"
    )


def _handle(intake: Intake, msgs: list[Any], totals: dict[str, int], kafka_error: Any) -> None:
    """Validate, log and apply one poll's messages; report the poison ones."""
    raws, origin = [], []
    for msg in msgs:
        error = msg.error()
        if error is not None:
            if error.code() != kafka_error._PARTITION_EOF:
                print(f"kafka: {error}", file=sys.stderr, flush=True)
            continue
        totals["messages"] += 1
        try:
            events = Intake.read(msg.value() or b"", path=f"kafka:{msg.topic()}")
        except (ParseError, UnicodeDecodeError) as exc:
            totals["poison"] += 1
            _poison(msg, f"not JSON: {getattr(exc, 'message', exc)}")
            continue
        for raw in events:  # indexed across the poll, to find the message back
            raws.append(replace(raw, index=len(raws)))
            origin.append(msg)
    result = intake.submit(raws, source_ref="kafka")
    totals["accepted"] += result.accepted
    totals["duplicates"] += result.duplicates
    for rejected in result.rejected:
        totals["poison"] += 1
        errors = "; ".join(f"{e['field']}: {e['message']}" for e in rejected.errors[:3])
        _poison(origin[rejected.index], errors)
