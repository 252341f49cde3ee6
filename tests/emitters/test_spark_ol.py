"""openlineage-spark end to end: a PySpark 3.5 job (local mode, Java 17) with the
OpenLineage listener from Maven Central, sending over HTTP to a real ``lineage serve``.

The job (``spark_job.py``) reads a PII table, writes ``sha2(email, 256)``, an aggregate
and a plain copy. The graph must hold the datasets, the column lineage and the masking as
Spark reports them, and labels must follow: the copy carries the email label, the hash
and the aggregate do not.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from lineage_serve import LineageServe

from lineage import ids
from lineage.model import Label, Labeling, Rel
from lineage.pipeline import ingest
from lineage.store import open_store

pytestmark = pytest.mark.emitters

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-emitters" / "bin" / "python"
JOB = Path(__file__).parent / "spark_job.py"
TOKEN = "spark-emitter-token"


def test_spark_job_lands_with_spark_masking(tmp_path: Path) -> None:
    assert PYTHON.exists(), "run scripts/bootstrap: no .venv-emitters"
    work = tmp_path / "work"
    server = LineageServe(tmp_path / "store", {"LINEAGE_API_TOKEN": TOKEN})
    server.start()
    try:
        env = {**os.environ, "PYSPARK_PYTHON": str(PYTHON), "SPARK_LOCAL_IP": "127.0.0.1"}
        done = subprocess.run(
            [str(PYTHON), str(JOB), server.url, TOKEN, str(work)],
            check=False, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-4000:]
    finally:
        server.stop()
        server.stop_store_server()

    def ds(name: str) -> str:
        return ids.dataset_id("file", f"{work}/{name}")

    def col(name: str, field: str) -> str:
        return ids.column_id("file", f"{work}/{name}", field)

    store = open_store(tmp_path / "store")
    try:
        for name in ("customers", "hashed", "by_state", "copy"):
            assert store.get_node(ds(name)) is not None, name

        def flow(src: str, dst: str) -> dict:
            out = store.neighbours(src, direction="out", rels=[Rel.FLOWS_TO])
            edges = [n.edge for n in out if n.node.uid == dst]
            assert edges, (src, dst)
            return dict(edges[0].props)

        hashed = flow(col("customers", "email"), col("hashed", "email_hash"))
        assert (hashed["transformation_subtype"], hashed["masking"]) == ("TRANSFORMATION", True)
        total = flow(col("customers", "amount"), col("by_state", "total"))
        assert total["transformation_subtype"] == "AGGREGATION"
        copy = flow(col("customers", "email"), col("copy", "email"))
        assert (copy["transformation_subtype"], copy["masking"]) == ("IDENTITY", False)

        email = Label("PII", "EMAIL_ADDRESS")
        ingest(store, [Labeling(col("customers", "email"), email, "presidio", 0.97, 2, 2)])

        def labels(uid: str) -> set[str]:
            node = store.get_node(uid)
            assert node is not None, uid
            return set(node.labels)

        assert "PII:EMAIL_ADDRESS" in labels(col("copy", "email"))
        assert labels(col("hashed", "email_hash")) == set()
        assert labels(ds("by_state")) == set()
    finally:
        store.close()
