"""dbt models without a manifest: render the Jinja well enough to read the lineage.

A dbt model is a SELECT wrapped in Jinja (``{{ ref('orders') }}``, ``{{ source('crm',
'users') }}``, ``{% for %}`` loops, ``{{ config(...) }}``). With the project's manifest the
compiled SQL is exact; without it, this renders the template in a sandbox with ``ref``
pointing at the model's own database and schema (dbt's default when a project writes to
one schema), ``source`` at ``source.table``, ``var``/``env_var`` at their defaults, and any
other macro at nothing, then materialises the model as dbt would: ``CREATE VIEW`` /
``CREATE TABLE`` / ``INSERT INTO`` (incremental) ``<relation> AS <select>``.

Templates are untrusted input: they run in Jinja's sandbox and never see the environment.
"""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from lineage.errors import ParseError

__all__ = ["is_dbt_template", "render_dbt_model"]


class _Quiet(Undefined):
    """Unknown macros and variables render as nothing (and can be called or chained)."""

    def __call__(self, *args: Any, **kwargs: Any) -> _Quiet:  # type: ignore[override]
        return self

    def __getattr__(self, name: str) -> _Quiet:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __str__(self) -> str:
        return ""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(())


def is_dbt_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def render_dbt_model(text: str, relation: str, *, path: str = "<model>") -> str:
    """SQL for a dbt model that materialises into ``relation`` (``db.schema.name``)."""
    parts = relation.split(".")
    prefix = ".".join(parts[:-1])
    config: dict[str, Any] = {}

    def ref(*args: str, **_: Any) -> str:
        name = args[-1] if args else ""
        return f"{prefix}.{name}" if prefix else name

    def source(source_name: str, table: str) -> str:
        return f"{source_name}.{table}"

    def set_config(*_: Any, **kwargs: Any) -> str:
        config.update(kwargs)
        return ""

    def var(name: str, default: Any = None) -> Any:
        return default if default is not None else name

    env = SandboxedEnvironment(undefined=_Quiet, autoescape=False)  # SQL, not HTML
    globals_ = {
        "ref": ref,
        "source": source,
        "config": set_config,
        "var": var,
        "env_var": lambda name, default="": default,
        "is_incremental": lambda: False,
        "this": relation,
        "target": {"schema": parts[-2] if len(parts) > 1 else "", "name": "default"},
    }
    try:
        rendered = env.from_string(text).render(**globals_)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(f"dbt template: {exc}", path=path, line=line) from None
    body = rendered.strip().rstrip(";")
    materialized = str(config.get("materialized", "view")).lower()
    if materialized == "incremental":
        return f"INSERT INTO {relation}\n{body}"
    kind = "TABLE" if materialized == "table" else "VIEW"
    return f"CREATE {kind} {relation} AS\n{body}"
