"""A dbt project folder as graph facts, without running dbt or reading a manifest.

``dbt_project.yml`` gives the model and seed folders, the materialisation and custom schema
of each folder (``+materialized``, ``+schema``) and the project ``vars``; every ``sources:``
block under the model folders maps ``source('s', 't')`` to the relation it names (its
``database``/``schema``/``identifier`` rendered like dbt does, ``env_var`` without a default
left out). Each model is rendered in Jinja's sandbox with ``ref`` resolved to the relation
that model or seed builds (an *ephemeral* model inlined as a subquery, as dbt inlines it),
``var`` to the project vars (themselves templates), the project's own macros loaded from
``macro-paths``, and dbt's type macros (``dbt.type_timestamp()``) as plain types.

A model that calls a macro this cannot render (a package's ``fivetran_utils.*``, adapter
introspection) is *not analysed* for column lineage: rendering it as nothing would turn a
CTE into a source table and drop the real source. Its table lineage still comes from the
``ref()``/``source()`` calls themselves, as coarse dataset-level edges, with a warning that
names the macro. Templates are untrusted input: they never see the environment.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from ingest.sql.catalog import Catalog
from ingest.sql.facts import script_facts
from ingest.sql.script import analyse
from lineage import ids
from lineage.boundedyaml import safe_load
from lineage.errors import LineageError, ParseError
from lineage.model import Edge, Fact, Kind, Node, Problem, Rel, Severity

__all__ = ["is_dbt_project", "project_facts"]

_TYPES = {
    "type_timestamp": "timestamp",
    "type_string": "varchar",
    "type_int": "integer",
    "type_bigint": "bigint",
    "type_numeric": "numeric",
    "type_float": "float",
    "type_boolean": "boolean",
}
_MAX_NESTING = 16  # ephemeral models inside ephemeral models, vars rendering vars


def is_dbt_project(folder: str | Path) -> bool:
    return (Path(folder) / "dbt_project.yml").is_file()


@dataclass
class _Model:
    name: str
    path: Path
    folders: tuple[str, ...]  # below the model path, for the dbt_project.yml config tree
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Render:
    """What one model's rendering touched: relations read, macros it could not render."""

    reads: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)


def _yaml(path: Path) -> Any:
    return safe_load(path.read_text(encoding="utf-8", errors="replace"), str(path))


def _quiet(render: list[_Render]) -> type[Undefined]:
    """Undefined names render as nothing, and every call of one is recorded as unknown."""

    class Quiet(Undefined):
        def __call__(self, *args: Any, **kwargs: Any) -> Quiet:  # type: ignore[override]
            if render:
                render[-1].unknown.append(self._undefined_name or "?")
            return self

        def __getattr__(self, name: str) -> Quiet:
            if name.startswith("__"):
                raise AttributeError(name)
            return Quiet(name=f"{self._undefined_name}.{name}")

        def __str__(self) -> str:
            return ""

        def __iter__(self):  # type: ignore[no-untyped-def]
            return iter(())

    return Quiet


class _Project:
    def __init__(self, root: Path) -> None:
        spec = _yaml(root / "dbt_project.yml") or {}
        if not isinstance(spec, Mapping):
            raise ParseError("dbt_project.yml is not a mapping", path=str(root))
        self.root = root
        self.name = str(spec.get("name") or root.name)
        self.tree = (spec.get("models") or {}).get(self.name) or {}
        vars_ = spec.get("vars") or {}
        self.vars = {**vars_, **(vars_.get(self.name) or {})}
        self.model_paths = [root / p for p in spec.get("model-paths") or ["models"]]
        seed_paths = [root / p for p in spec.get("seed-paths") or ["seeds"]]
        macro_paths = [root / p for p in spec.get("macro-paths") or ["macros"]]
        self.seeds = {p.stem: p for d in seed_paths if d.is_dir() for p in d.rglob("*.csv")}
        self.models: dict[str, _Model] = {}
        for base in self.model_paths:
            for path in sorted(base.rglob("*.sql")) if base.is_dir() else ():
                folders = path.relative_to(base).parts[:-1]
                self.models[path.stem] = _Model(path.stem, path, folders)
        self.stack: list[_Render] = []
        self.env = SandboxedEnvironment(undefined=_quiet(self.stack), autoescape=False)
        self.env.globals.update(self._globals())
        for base in macro_paths:  # the project's own macros, callable from every model
            for path in sorted(base.rglob("*.sql")) if base.is_dir() else ():
                try:
                    module = self.env.from_string(path.read_text(encoding="utf-8")).module
                except TemplateError:
                    continue
                self.env.globals.update(
                    {k: getattr(module, k) for k in dir(module) if not k.startswith("_")}
                )
        self.sources = self._sources()

    # -- configuration -------------------------------------------------------------------
    def folder_config(self, folders: tuple[str, ...]) -> dict[str, Any]:
        """The ``models:`` tree of dbt_project.yml down a model's folders (``+`` optional)."""
        out: dict[str, Any] = {}
        node: Any = self.tree
        for depth in range(len(folders) + 1):
            if not isinstance(node, Mapping):
                break
            for key, value in node.items():
                if not isinstance(value, Mapping):
                    out[str(key).lstrip("+")] = value
            if depth < len(folders):
                node = node.get(folders[depth])
        return out

    def relation(self, model: _Model) -> str:
        schema = model.config.get("schema")
        name = str(model.config.get("alias") or model.name)
        return f"{schema}.{name}" if schema else name

    def _sources(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for base in self.model_paths:
            for path in sorted(base.rglob("*.yml")) if base.is_dir() else ():
                try:
                    doc = _yaml(path)
                except LineageError:
                    continue
                for src in (doc or {}).get("sources") or () if isinstance(doc, Mapping) else ():
                    name = str(src.get("name", ""))
                    database = self.text(src.get("database"))
                    # dbt's default schema is the source's name; a templated one that
                    # renders empty (an env_var with no default) is left out, not guessed
                    schema = self.text(src["schema"]) if "schema" in src else name
                    for table in src.get("tables") or ():
                        ident = self.text(table.get("identifier")) or str(table.get("name"))
                        parts = [p for p in (database, schema, ident) if p]
                        out[(name, str(table.get("name")))] = ".".join(parts)
        return out

    # -- rendering -----------------------------------------------------------------------
    def text(self, value: Any) -> str:
        """A YAML value that may hold Jinja (``{{ var('x', 'y') }}``), rendered."""
        if value is None:
            return ""
        if not isinstance(value, str) or "{" not in value:
            return str(value)
        return self._render_string(value).strip()

    def _render_string(self, template: str) -> str:
        if len(self.stack) > _MAX_NESTING:
            raise ParseError("dbt templates nest too deeply", path=str(self.root))
        return self.env.from_string(template).render()

    def _globals(self) -> dict[str, Any]:
        def ref(*args: str, **_: Any) -> str:
            name = args[-1] if args else ""
            model = self.models.get(name)
            if model is not None and model.config.get("materialized") == "ephemeral":
                return f"({self.select(model)})"  # dbt inlines ephemeral models
            relation = self.relation(model) if model is not None else name
            if self.stack:
                self.stack[-1].reads.append(relation)
            return relation

        def source(source_name: str, table: str) -> str:
            relation = self.sources.get((source_name, table), f"{source_name}.{table}")
            if self.stack:
                self.stack[-1].reads.append(relation)
            return relation

        def config(*_: Any, **kwargs: Any) -> str:
            if self.stack:
                self.stack[-1].config.update(kwargs)
            return ""

        def var(name: str, default: Any = None) -> Any:
            value = self.vars.get(name, default)
            return self.text(value) if isinstance(value, str) else value

        class _Dbt:
            def __getattr__(self, name: str) -> Callable[..., str]:
                if name in _TYPES:
                    return lambda *a, **k: _TYPES[name]
                raise AttributeError(name)

        return {
            "ref": ref,
            "source": source,
            "config": config,
            "var": var,
            "env_var": lambda name, default="": default,
            "is_incremental": lambda: False,
            "target": {"schema": "", "database": "", "type": "", "name": "default"},
            "dbt": _Dbt(),
        }

    def render(self, model: _Model) -> tuple[str, _Render]:
        self.stack.append(_Render())
        try:
            text = model.path.read_text(encoding="utf-8", errors="replace")
            sql = self.env.from_string(text).render(this=self.relation(model))
        finally:
            done = self.stack.pop()
        return sql, done

    def select(self, model: _Model) -> str:
        """An ephemeral model's SELECT, its reads and unknown macros counted for the caller."""
        sql, done = self.render(model)
        if self.stack:
            self.stack[-1].reads += done.reads
            self.stack[-1].unknown += done.unknown
        return sql.strip().rstrip(";")


def _configure(project: _Project) -> list[_Model]:
    """Each model's config (its folder's in dbt_project.yml, then its own ``config()``), and
    the models upstream first, so each is analysed with the columns of what it reads."""
    for model in project.models.values():
        model.config = {"materialized": "view", **project.folder_config(model.folders)}
    reads: dict[str, list[str]] = {}
    for model in project.models.values():  # a first render only to read ``config()``
        try:
            _, done = project.render(model)
        except (TemplateError, LineageError):
            continue
        model.config.update({k: v for k, v in done.config.items() if v is not None})
        reads[model.name] = done.reads
    by_relation = {project.relation(m): m.name for m in project.models.values()}
    order: list[_Model] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done: a cycle is broken, not looped

    def visit(name: str) -> None:
        if state.get(name):
            return
        state[name] = 1
        for relation in reads.get(name, ()):
            if relation in by_relation:
                visit(by_relation[relation])
        state[name] = 2
        order.append(project.models[name])

    for name in sorted(project.models):
        visit(name)
    return order


def _seed_catalog(project: _Project) -> Catalog:
    """Seeds' columns from their CSV headers: ``select *`` from a seed resolves."""
    catalog = Catalog()
    for name, path in project.seeds.items():
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            header = next(csv.reader(fh), [])
        catalog.add(name, [c.strip() for c in header if c.strip()])
    return catalog


def project_facts(
    folder: str | Path, *, ref: str | None = None, namespace: str = "", dialect: str = "ansi"
) -> Iterator[Fact]:
    """Facts for every model of the dbt project in ``folder``: one Job per model."""
    root = Path(folder)
    project = _Project(root)
    namespace = namespace or f"dbt://{project.name}"
    ref = ref or root.as_posix()
    catalog = _seed_catalog(project)
    for model in _configure(project):
        materialized = str(model.config.get("materialized", "view")).lower()
        if materialized == "ephemeral":
            continue  # inlined where it is used; it writes nothing
        where = f"{ref}/{model.path.relative_to(root).as_posix()}"
        try:
            sql, done = project.render(model)
        except (TemplateError, LineageError) as exc:
            yield Problem(Severity.ERROR, f"dbt model {model.name}: not rendered: {exc}", where)
            continue
        relation = project.relation(model)
        job = f"{project.name}.{model.name}"
        if done.unknown:
            macros = ", ".join(sorted(set(done.unknown)))
            yield Problem(
                Severity.WARNING,
                f"dbt model {model.name}: not analysed for column lineage: macro(s) {macros} "
                "cannot be rendered without dbt; table lineage from ref()/source() only",
                where,
            )
            yield from _table_level(namespace, job, where, relation, done.reads)
            continue
        body = sql.strip().rstrip(";")
        statement = (
            f"INSERT INTO {relation}\n{body}"
            if materialized == "incremental"
            else f"CREATE {'TABLE' if materialized == 'table' else 'VIEW'} {relation} AS\n{body}"
        )
        result = analyse(statement, dialect=dialect, catalog=catalog)
        for stmt in result.statements:  # what this model builds, for the models reading it
            if stmt.targets and stmt.target_columns:
                catalog.add(stmt.targets[0], stmt.target_columns)
        yield from script_facts(result, namespace=namespace, job_name=job, path=where)


def _table_level(
    namespace: str, job_name: str, where: str, relation: str, reads: list[str]
) -> Iterator[Fact]:
    """Coarse lineage of a model whose SQL could not be rendered: what it refs, what it
    builds, no column detail (so propagation treats the edges as coarse)."""
    job = ids.job_id(namespace, job_name)
    target = ids.dataset_id(namespace, relation)
    yield Node(job, Kind.JOB, job_name, namespace, {"job_type": "dbt_model"}, where)
    yield Node(target, Kind.DATASET, relation, namespace, {}, where)
    yield Edge(job, Rel.WRITES, target, {"stale": False}, "", where)
    for name in dict.fromkeys(reads):
        source = ids.dataset_id(namespace, name)
        yield Node(source, Kind.DATASET, name, namespace, {}, where)
        yield Edge(job, Rel.READS, source, {"stale": False}, "", where)
        props = {
            "kind": "transform",
            "via": job,
            "granularity": "dataset",
            "transformation_type": "DIRECT",
            "column_detail": False,
            "stale": False,
        }
        yield Edge(source, Rel.FLOWS_TO, target, props, job, where)
