"""A notebook as graph facts: one Job, the assets its code touches, secrets, output samples.

``notebook_facts(path)`` loads the notebook, analyses every code cell in order (a cell with
a syntax error is skipped with a warning; the rest are still analysed), hands SQL to the SQL
ingestor, records hard-coded secrets as SECRET labels on the notebook's Job (kind and cell
only), and, given a classifier, labels the datasets a cell touched from what it printed.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

from ingest.notebook.analysis import Analyzer
from ingest.notebook.cells import split_cell
from ingest.notebook.egress import egress_in, record_egress
from ingest.notebook.load import LoadedNotebook, load_notebook, parse_notebook
from ingest.notebook.outputs import Classifier, labelings, output_texts, samples
from ingest.notebook.recognisers.data_io import sql_target
from ingest.notebook.recognisers.downloads import shell_downloads
from ingest.notebook.recognisers.training import drop_in_memory_fits
from ingest.notebook.values import Collector
from ingest.secrets import scan_text
from ingest.vector_config.naming import dataset_for_location
from lineage import ids
from lineage.errors import LineageError
from lineage.model import Edge, Fact, Kind, Label, Labeling, Node, Problem, Severity

__all__ = ["JOB_NAMESPACE", "SECRET_DETECTOR", "analyse_notebook", "notebook_facts"]

JOB_NAMESPACE = "notebook"
SECRET_DETECTOR = "notebook-secrets"  # noqa: S105 - a detector name
# a script the notebook runs itself: ``!python train.py``, ``%run train.py``, a ``%%bash`` line
# (not a job's command string such as ``command="python train.py"``)
_LOCAL_RUN = re.compile(
    r"^\s*(?:!.*?\bpython3?|%run|python3?)\s+(?:-\S+\s+)*(?:\S*/)?([\w.-]+\.py)\b", re.M
)
# the job SDK a notebook imports: where the scripts it writes are run
_JOB_PLATFORM = re.compile(
    r"^\s*(?:from|import)\s+(azure\.ai\.ml|azureml|sagemaker|google\.cloud\.aiplatform)\b",
    re.M,
)
_PLATFORMS = {
    "azure.ai.ml": "azureml",
    "azureml": "azureml",
    "sagemaker": "sagemaker",
    "google.cloud.aiplatform": "vertex",
}
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][\w.\[\]'\"()]*\}")


def notebook_facts(
    path: str | Path,
    *,
    ref: str | None = None,
    classifier: Classifier | None = None,
    text: str | None = None,
) -> Iterator[Fact]:
    """Facts for one notebook file (or its ``text``); ``ref`` is the path used in ids."""
    ref = ref or Path(path).as_posix()
    loaded = parse_notebook(text, ref) if text is not None else load_notebook(path, ref=ref)
    yield from analyse_notebook(loaded, classifier=classifier)


def analyse_notebook(
    loaded: LoadedNotebook, *, classifier: Classifier | None = None
) -> Iterator[Fact]:
    yield from loaded.problems
    if not loaded.usable:
        return
    ref = loaded.path
    job = ids.job_id(JOB_NAMESPACE, ref)
    out = Collector(job, ref)
    out.node(
        job,
        job_type="notebook",
        source_ref=ref,
        nbformat=loaded.nbformat,
        kernel=loaded.kernel,
        language=loaded.language,
        cells=len(loaded.cells),
    )
    analyzer = Analyzer(out, ref, sql=_sql_hook(out, job))
    sources = "\n".join(c.source for c in loaded.cells if c.cell_type == "code")
    local_scripts = set(_LOCAL_RUN.findall(sources))
    platform = _JOB_PLATFORM.search(sources)
    analyzer.script_platform = _PLATFORMS[platform.group(1)] if platform else ""
    touched: dict[int, set[str]] = {}
    python = loaded.language in ("", "python") or loaded.kernel.startswith("python")
    if not python:
        out.problems.append(
            Problem(
                Severity.INFO,
                f"{loaded.language or loaded.kernel} notebook: code not analysed, secrets scanned",
                ref,
            )
        )
    for cell in loaded.cells:
        cell_ref = f"{ref}#cell{cell.index}"
        out.at(cell_ref)
        _secrets(out, job, cell.source, cell_ref)
        if cell.cell_type != "code" or not python:
            continue
        _analyse_cell(analyzer, out, cell.source, cell_ref, local_scripts)
        touched[cell.index] = set(analyzer.cell_data)
    code = "\n".join(c.source for c in loaded.cells if c.cell_type == "code")
    try:
        analyzer.finish()
    except (RecursionError, LineageError) as exc:
        out.problems.append(Problem(Severity.WARNING, f"analysis stopped: {exc}", ref))
    drop_in_memory_fits(out)
    out.at(ref)
    record_egress(out, egress_in(code))
    for whole in output_texts(loaded.cells):
        _secrets(out, job, whole.text, f"{ref}#cell{whole.cell}:output")
    for sample in samples(loaded.cells):
        cell_ref = f"{ref}#cell{sample.cell}"
        if classifier is not None:
            for labeling in labelings(
                classifier, sample, touched.get(sample.cell, ()), job, cell_ref
            ):
                out.label(labeling)
    yield from out.facts()


def _parse(source: str) -> ast.Module:
    """Parse a cell without the interpreter's SyntaxWarnings (``"\\d"`` in a user's regex):
    they describe the notebook's code, not ours, and would drown the report on stderr."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(source)


def _analyse_cell(
    analyzer: Analyzer, out: Collector, source: str, cell_ref: str, local_scripts: set[str]
) -> None:
    try:
        tree = _parse(source)
        code = split_cell(source, parses=True)
    except (MemoryError, RecursionError):
        # CPython's parser gives up on deeply nested code (100k unary minus signs): its stack
        # overflows as MemoryError or RecursionError. One cell, not the whole folder.
        out.problems.append(
            Problem(Severity.WARNING, "cell too complex to parse; skipped", cell_ref)
        )
        return
    except (SyntaxError, ValueError):
        code = split_cell(source)
        try:
            tree = _parse(code.python)
        except (MemoryError, RecursionError):
            out.problems.append(
                Problem(Severity.WARNING, "cell too complex to parse; skipped", cell_ref)
            )
            tree = None
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None) or 0
            snippet = (code.python.splitlines() or [""])[max(line - 1, 0)][:200] if line else ""
            out.problems.append(
                Problem(
                    Severity.WARNING,
                    f"syntax error at line {line}: {getattr(exc, 'msg', exc)}; cell skipped",
                    f"{cell_ref}:{line}",
                    snippet,
                )
            )
            tree = None
    if code.skipped_language and not code.python:
        return
    for connection, sql in code.sql:
        namespace, dialect = sql_target(connection) if connection else ("sql", "ansi")
        analyzer.sql(sql, namespace=namespace, dialect=dialect)
    # a script written for a job runs in the job's container: its relative paths are not
    # this notebook's files, unless the notebook runs it here (``!python train.py``)
    script = code.writes_file
    analyzer.script = script if script and script.rsplit("/", 1)[-1] not in local_scripts else ""
    if tree is not None:
        try:
            analyzer.run(tree)
        except RecursionError:
            out.problems.append(
                Problem(Severity.WARNING, "cell too deeply nested to analyse; skipped", cell_ref)
            )
        except LineageError as exc:  # e.g. a name that cannot make an id: report, go on
            out.problems.append(
                Problem(Severity.WARNING, f"cell analysis stopped: {exc}", cell_ref)
            )
    analyzer.script = ""
    # after the code: ``!`` lines expand ``{name}`` from variables the cell's code sets
    for command in code.shell:
        analyzer.shell(command)
        shell_downloads(command, analyzer)


def _secrets(out: Collector, job: str, text: str, ref: str) -> None:
    for finding in scan_text(text):
        out.label(
            Labeling(
                job,
                Label("SECRET", finding.kind),
                SECRET_DETECTOR,
                1.0,
                1,
                1,
                f"{ref}:{finding.line}",
            )
        )


def _sql_hook(out: Collector, job: str):
    """Hand SQL text to the SQL ingestor; its job becomes this notebook's job."""
    state = {"warned": False}

    def run(text: str, namespace: str, dialect: str) -> frozenset[str]:
        if _PLACEHOLDER.search(text):
            out.problems.append(
                Problem(
                    Severity.INFO,
                    "SQL assembled at run time (unresolved {...} parts); not analysed",
                    out.ref,
                    text[:120],
                )
            )
            return frozenset()
        try:
            from ingest.sql import sql_facts
        except ImportError:  # the SQL ingestor is optional for notebooks
            if not state["warned"]:
                state["warned"] = True
                out.problems.append(
                    Problem(
                        Severity.INFO, "SQL ingestor unavailable: SQL text not analysed", out.ref
                    )
                )
            return frozenset()
        reads: set[str] = set()
        for fact in sql_facts(
            text,
            dialect=dialect,
            namespace=namespace,
            job_name=f"{out.ref}#sql",
            path=out.ref,
            catalog=out.catalog(namespace) or None,  # tables this notebook declared
        ):
            mapped = _to_notebook_job(_paths_as_files(fact), job)
            if mapped is None:
                continue
            if isinstance(mapped, Edge) and mapped.src == job and mapped.rel.value == "READS":
                reads.add(mapped.dst)
            out.absorb(mapped)
        return frozenset(reads)

    return run


def _path_uid(uid: str) -> str:
    """``dataset:duckdb:"hf://datasets/x/*.parquet"`` is the file it names, not a table."""
    if not uid.startswith(("dataset:", "column:")):
        return uid
    parsed = ids.parse(uid)
    name = parsed.name.strip("\"'`")
    if "/" not in name:
        return uid
    where = dataset_for_location(name)
    if where is None:
        return uid
    if parsed.kind is Kind.COLUMN:
        return ids.column_id(where[0], where[1], parsed.field)
    return ids.dataset_id(*where)


def _paths_as_files(fact: Fact) -> Fact:
    if isinstance(fact, Node) and fact.kind in (Kind.DATASET, Kind.COLUMN):
        uid = _path_uid(fact.uid)
        if uid != fact.uid:
            parsed = ids.parse(uid)
            name = parsed.name if fact.kind is Kind.DATASET else parsed.field
            return Node(
                uid,
                fact.kind,
                name,
                parsed.namespace,
                fact.props,
                fact.source_ref,
                fact.observed_at,
            )
    elif isinstance(fact, Edge):
        src, dst = _path_uid(fact.src), _path_uid(fact.dst)
        if (src, dst) != (fact.src, fact.dst):
            return Edge(src, fact.rel, dst, fact.props, fact.key, fact.source_ref, fact.observed_at)
    return fact


def _to_notebook_job(fact: Fact, job: str) -> Fact | None:
    if isinstance(fact, Node):
        return None if fact.kind is Kind.JOB else fact
    if isinstance(fact, Edge):
        src = job if ids.kind_of(fact.src) is Kind.JOB else fact.src
        dst = job if ids.kind_of(fact.dst) is Kind.JOB else fact.dst
        key = job if fact.key.startswith("job:") else fact.key
        props = dict(fact.props)
        if "via" in props:
            props["via"] = job
        return Edge(src, fact.rel, dst, props, key, fact.source_ref, fact.observed_at)
    if isinstance(fact, Labeling) and ids.kind_of(fact.uid) is Kind.JOB:
        return Labeling(
            job,
            fact.label,
            fact.detector,
            fact.confidence,
            fact.hits,
            fact.sampled,
            fact.source_ref,
        )
    return fact
