"""The ``redact`` response: a table's masking view SQL, or a redacted copy of a sample file.

The view is SQL only (the graph learns of it when someone runs it and the SQL ingestor sees
it); the copy is real, so it is recorded in the graph behind a masking ``FLOWS_TO`` and the
audit entry lists every node and edge it added, for :func:`lineage.policy.actions.undo`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lineage import ids, pipeline
from lineage.errors import LineageError
from lineage.model import Edge, Fact, Kind, Node, Rel
from lineage.policy.record import Context, Outcome, node_or_raise, record, sha256_file
from lineage.policy.redact import Redactor, masking_facts, masking_view_sql
from lineage.store.base import Store

__all__ = ["redact_file", "redact_view"]


def _columns(store: Store, dataset: str, fields: object) -> list[tuple[str, tuple[str, ...]]]:
    """Columns with their labels, in the dataset's ``fields`` order when it is known."""
    found = {
        ids.parse(nb.node.uid).field: nb.node.labels
        for nb in store.neighbours(dataset, direction="out", rels=[Rel.HAS_COLUMN])
    }
    order = [f for f in fields if f in found] if isinstance(fields, list) else []
    order += sorted(set(found) - set(order))
    return [(name, found[name]) for name in order]


def _wanted(labels: Iterable[str], categories: Sequence[str] | None) -> list[str]:
    """Matching labels, the most specific (with an entity) first."""
    from lineage.sensitivity.rules import matches

    hits = [x for x in labels if not categories or any(matches(c, x) for c in categories)]
    return sorted(hits, key=lambda x: (":" not in x, x))


def _new_facts(
    store: Store, facts: Iterable[Fact]
) -> tuple[list[Fact], list[str], list[list[str]]]:
    """Keep the facts that add something (existing nodes and edges are left untouched, so
    that undo can remove exactly what was added). Returns facts, new node ids, new edges."""
    kept: list[Fact] = []
    nodes: list[str] = []
    edges: list[list[str]] = []
    exists: dict[str, bool] = {}

    def present(uid: str) -> bool:
        if uid not in exists:
            exists[uid] = store.get_node(uid) is not None
        return exists[uid]

    for fact in facts:
        if isinstance(fact, Node):
            if present(fact.uid):
                continue
            nodes.append(fact.uid)
        elif isinstance(fact, Edge):
            if present(fact.src) and present(fact.dst):
                same = [
                    nb
                    for nb in store.neighbours(fact.src, direction="out", rels=[fact.rel])
                    if nb.node.uid == fact.dst and nb.edge.key == fact.key
                ]
                if same:
                    continue
            for uid in (fact.src, fact.dst):
                if not present(uid) and uid not in nodes:
                    nodes.append(uid)
            edges.append([fact.src, fact.rel.value, fact.dst, fact.key])
        kept.append(fact)
    return kept, nodes, edges


def redact_view(
    store: Store,
    dataset: str,
    *,
    actor: str,
    reason: str,
    operator: str = "replace",
    dialect: str = "ansi",
    output: str | Path | None = None,
    categories: Sequence[str] | None = None,
    dry_run: bool = False,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """The masking view of a table over its labelled columns, as SQL (in the audit entry, and
    written to ``output`` when given). The graph is not changed: the view exists only once
    someone runs the SQL, and the SQL ingestor then records it. A column id means its table.
    """
    dataset = ids.parse(dataset).dataset
    node = node_or_raise(store, dataset)
    if node.kind is not Kind.DATASET:
        raise LineageError(f"{dataset}: only datasets have masking views")
    cols = _columns(store, dataset, node.props.get("fields"))
    masked = {
        name: _wanted(labels, categories)[0] for name, labels in cols if _wanted(labels, categories)
    }
    if not masked:
        raise LineageError(f"no column of {dataset} holds a matching label: nothing to mask")
    parsed = ids.parse(dataset)
    view = ids.dataset_id(parsed.namespace, parsed.name + "_masked")
    sql = masking_view_sql(
        parsed.name,
        [name for name, _ in cols],
        masked,
        view=ids.parse(view).name,
        dialect=dialect,
        operator=operator,
    )
    path = _file_in(Path(output), f"{ids.parse(view).name}.sql") if output else None
    before = {
        "dataset": dataset,
        "file": str(path) if path else None,
        "file_existed": bool(path and path.exists()),
    }
    after: dict[str, Any] = {
        "dataset": dataset,
        "view": view,
        "sql": sql,
        "masked": sorted(masked),
        "file": str(path) if path else None,
    }
    if path is not None and path.exists():
        raise LineageError(f"{path} exists: remove it or choose another output folder")
    if not dry_run and path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql, encoding="utf-8")
        after["sha256"] = sha256_file(path)
    ctx = Context(actor, reason, policy, finding, track_finding)
    return record(store, ctx, "redact", dataset, before=before, after=after, dry_run=dry_run)


def _file_in(folder: Path, name: str) -> Path:
    """A file named after ``name`` directly inside ``folder``, whatever the name holds: a
    dataset named ``/etc/cron.d/x`` or ``../../x`` must not write outside the folder."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).lstrip("._-")[:200] or "dataset.sql"
    path = folder / safe
    if path.resolve().parent != folder.resolve():  # cannot happen: said, not assumed
        raise LineageError(f"{name!r} does not name a file inside {folder}")
    return path


def _file_of(node: Any) -> Path:
    for key in ("path", "location", "uri", "sample_path"):
        value = node.props.get(key)
        if isinstance(value, str) and value:
            return Path(value.removeprefix("file://"))
    parsed = ids.parse(node.uid)
    if parsed.namespace == "file" or parsed.namespace.startswith("file://"):
        return Path(parsed.name)
    raise LineageError(f"{node.uid}: no sampled file known (no path/location property)")


def _redact_file_content(
    path: Path, redactor: Redactor, operator: str
) -> tuple[str, list[str], set[str], int]:
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
        fields = list(reader.fieldnames or [])
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=fields, delimiter=reader.reader.dialect.delimiter, lineterminator="\n"
        )
        writer.writeheader()
        masked: set[str] = set()
        count = 0
        for record, items in redactor.redact_records(reader, operator):
            writer.writerow(record)
            masked |= set(items)
            count += 1
        return out.getvalue(), fields, masked, count
    if suffix in (".jsonl", ".ndjson"):
        lines: list[str] = []
        fields_seen: list[str] = []
        masked, count = set(), 0
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
        for record, items in redactor.redact_records(records, operator):
            lines.append(json.dumps(record, ensure_ascii=False))
            fields_seen.extend(k for k in record if k not in fields_seen)
            masked |= set(items)
            count += 1
        return "\n".join(lines) + "\n", fields_seen, masked, count
    done = redactor.redact(text, operator)
    return done.text, [], set(), 1


def redact_file(
    store: Store,
    dataset: str,
    *,
    actor: str,
    reason: str,
    redactor: Redactor,
    operator: str = "replace",
    output: str | Path | None = None,
    dry_run: bool = False,
    policy: str = "",
    finding: str = "",
    track_finding: bool = True,
) -> Outcome:
    """A redacted copy of the dataset's sampled file (CSV, TSV, JSON Lines or text), and the
    copy in the graph behind a masking edge."""
    node = node_or_raise(store, dataset)
    source = _file_of(node)
    if not source.is_file():
        raise LineageError(f"{dataset}: sampled file {source} not found")
    folder = Path(output) if output else source.parent
    target = folder / f"{source.stem}.redacted{source.suffix}"
    if target.exists():
        raise LineageError(f"{target} exists: remove it or choose another output folder")
    content, fields, masked, count = _redact_file_content(source, redactor, operator)
    copy = ids.dataset_id("file", str(target.resolve()))
    facts, new_nodes, new_edges = _new_facts(
        store, masking_facts(dataset, copy, operator=operator, fields=fields, masked=masked)
    )
    before = {"dataset": dataset, "file": str(target), "file_existed": False}
    after: dict[str, Any] = {
        "dataset": dataset,
        "copy": copy,
        "file": str(target),
        "records": count,
        "masked_fields": sorted(masked),
        "created_nodes": new_nodes,
        "created_edges": new_edges,
    }
    if not dry_run:
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        after["sha256"] = sha256_file(target)
        pipeline.ingest(store, facts)
    ctx = Context(actor, reason, policy, finding, track_finding)
    return record(store, ctx, "redact", dataset, before=before, after=after, dry_run=dry_run)
