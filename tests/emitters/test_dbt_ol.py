"""openlineage-dbt end to end: ``dbt-ol run`` on a DuckDB project into a real ``lineage serve``.

The project (``dbt_project/``) seeds a PII table with explicit column types, builds a model
hashing the SSN (``sha256(ssn)``) and an aggregate by state. dbt-ol sends untyped column
lineage with the compiled SQL; the graph must still know the hash is masked and the
aggregate carries no entity label. The emitter runs from ``.venv-emitters`` (installed by
``scripts/bootstrap`` from ``requirements-dbt.txt``), offline: no package, no model, no
tracking call leaves the machine.
"""

from __future__ import annotations

import os
import shutil
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
BIN = ROOT / ".venv-emitters" / "bin"
PROJECT = Path(__file__).parent / "dbt_project"
TOKEN = "dbt-emitter-token"


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        args, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def test_dbt_ol_run_lands_with_the_hash_masked(tmp_path: Path) -> None:
    assert (BIN / "dbt-ol").exists(), "run scripts/bootstrap: .venv-emitters has no dbt-ol"
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    server = LineageServe(tmp_path / "store", {"LINEAGE_API_TOKEN": TOKEN})
    server.start()
    try:
        (project / "openlineage.yml").write_text(
            "transport:\n"
            "  type: http\n"
            f"  url: {server.url}\n"
            "  endpoint: api/v1/lineage\n"
            "  auth:\n"
            "    type: api_key\n"
            f"    apiKey: {TOKEN}\n"
        )
        env = {
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",  # dbt-ol runs `dbt`
            "HOME": str(tmp_path),
            "DBT_DUCKDB_PATH": str(tmp_path / "w.duckdb"),
            "DBT_PROFILES_DIR": str(project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "OPENLINEAGE_CONFIG": str(project / "openlineage.yml"),
            "OPENLINEAGE_NAMESPACE": "dbt",
        }
        _run([str(BIN / "dbt"), "seed"], project, env)
        _run([str(BIN / "dbt-ol"), "run"], project, env)
    finally:
        server.stop()
        server.stop_store_server()

    ns = f"duckdb://{tmp_path / 'w.duckdb'}"
    store = open_store(tmp_path / "store")
    try:
        seed, hashed = (
            ids.dataset_id(ns, "w.main.customers"),
            ids.dataset_id(ns, "w.main.customers_hashed"),
        )
        by_state = ids.dataset_id(ns, "w.main.spend_by_state")
        job = ids.job_id("dbt", "w.main.pii_demo.customers_hashed")
        assert [n.node.uid for n in store.neighbours(job, direction="out", rels=[Rel.WRITES])] == [
            hashed
        ]
        assert seed in {
            n.node.uid for n in store.neighbours(job, direction="out", rels=[Rel.READS])
        }
        # what a scanner would find in the seed: the SSN column
        ssn = ids.column_id(ns, "w.main.customers", "ssn")
        ingest(store, [Labeling(ssn, Label("PII", "US_SSN"), "presidio", 0.97, 3, 3)])

        def labels(uid: str) -> set[str]:
            node = store.get_node(uid)
            assert node is not None, uid
            return set(node.labels)

        assert labels(ssn) == {"PII", "PII:US_SSN"}
        assert labels(ids.column_id(ns, "w.main.customers_hashed", "ssn_hash")) == set()
        assert labels(hashed) == set()
        assert labels(by_state) == set()
        assert labels(ids.column_id(ns, "w.main.spend_by_state", "total_amount")) == set()
    finally:
        store.close()
