"""Issue 19.9: "what does this index hold" answered from sampled chunks, not by hand.

The export is the demo's CRM notes as Qdrant writes points when scrolled (``id``,
``vector``, ``payload`` with the chunk text and its metadata): no public repository ships a
collection export with personal data in it, so the rows are the demo estate's own.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from lineage import sensitivity
from lineage.demo import run_demo
from lineage.store import open_store

NOTES = Path(__file__).parents[2] / "lineage/demo/estate/samples/crm_notes.csv"
INDEX = "vectorindex:qdrant://qdrant.internal:6333:crm_notes"
CHATBOT = "endpoint:embedchain:crm-assistant"
LINEAGE = str(Path(sys.executable).with_name("lineage"))


def _qdrant_export(path: Path) -> None:
    rng = random.Random(7)
    with NOTES.open(encoding="utf-8") as fh, path.open("w", encoding="utf-8") as out:
        for i, row in enumerate(csv.DictReader(fh)):
            text = f"{row['contact_name']} <{row['contact_email']}>: {row['note']}"
            point = {
                "id": i,
                "vector": [round(rng.uniform(-1, 1), 8) for _ in range(64)],
                "payload": {"text": text, "metadata": {"account": row["account_id"]}},
            }
            out.write(json.dumps(point) + "\n")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("index")
    store_dir = folder / "store"
    store = open_store(store_dir)
    try:
        run_demo(store)
        # the demo labels the index through its CSV; start from an index nobody labelled
        sensitivity.replace_detected(store, {INDEX: []}, "presidio")
    finally:
        store.close()
    export = folder / "crm_notes.points.jsonl"
    _qdrant_export(export)
    done = subprocess.run(
        [LINEAGE, "--store", str(store_dir), "scan", str(export), "--dataset", INDEX, "--json"],
        capture_output=True,
        check=True,
    )
    return store_dir, json.loads(done.stdout)


def test_chunk_fields_are_classified_and_vectors_are_not(scanned) -> None:
    _, result = scanned
    fields = {c["column"]: c for c in result["columns"]}
    assert set(fields) == {"payload.text", "payload.metadata.account"}  # no id, no vector
    found = {e["label"] for e in fields["payload.text"]["labels"]}
    assert "PII:EMAIL_ADDRESS" in found  # names in free text need an NER model (--ner)
    assert not any(e["label"].startswith("PCI") for c in fields.values() for e in c["labels"])


def test_the_index_owns_what_its_chunks_hold_and_the_endpoint_inherits_it(scanned) -> None:
    store_dir, _ = scanned
    store = open_store(store_dir)
    try:
        index = store.get_node(INDEX)
        assert index is not None
        assert "PII:EMAIL_ADDRESS" in index.props.get("own_labels", [])
        paths = sensitivity.why(store, CHATBOT, "PII:EMAIL_ADDRESS")
        assert any(p.origin == INDEX for p in paths)
    finally:
        store.close()
