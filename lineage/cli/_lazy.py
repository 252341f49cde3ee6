"""Commands load when they run: a click group that imports a command's module on first use.

``lineage --help`` and ``lineage stats`` must start at once, yet the commands between them
need sqlglot, Presidio, networkx, numpy and nbformat. Each command module owns its Typer
apps; :data:`COMMANDS` says where every command lives and its one-line help, so listing
commands imports nothing (a test keeps those lines equal to the commands' docstrings).
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["COMMANDS", "INGEST", "LazyGroup"]


class Where(NamedTuple):
    """A command's module, the Typer app in it that holds the command, and its help line."""

    module: str
    app: str
    help: str


_M = "lineage.cli."

COMMANDS: dict[str, Where] = {
    "audit": Where(_M + "policy_cmds", "app", "The remediation audit log (append-only, hash-chained)."),
    "backup": Where(_M + "migrate_cmds", "app", "Write a consistent-format backup of the graph, atomically (temp file, fsync, rename)."),
    "blast-radius": Where(_M + "query_cmds", "app", "What a leaked or poisoned node hits downstream (or feeds it, with --up)."),
    "consume": Where(_M + "consume_cmds", "consume_app", "Consume OpenLineage events from a message bus (Kafka) into the graph, at least once."),
    "declassify": Where(_M + "sensitivity_cmds", "app", "Stop labels at a node or a FLOWS_TO edge, with who/when/why recorded."),
    "demo": Where(_M + "demo", "app", "Ingest a small company's artefacts and show where its sensitive data can leak."),
    "export": Where(_M + "store_cmds", "app", "Write the whole graph as JSON Lines (stable format, see lineage.transfer)."),
    "import": Where(_M + "store_cmds", "app", "Load a JSON Lines export; bad lines are reported by number, good ones load."),
    "ingest": Where("", "", "Turn artefacts into graph facts."),
    "inventory": Where(_M + "ai_cmds", "app", "List AI assets (models, vector indexes, endpoints) by kind, with where each was found."),
    "label": Where(_M + "sensitivity_cmds", "app", "Declare an own label by hand (or remove one); downstream labels follow at once."),
    "lineage": Where(_M + "query_cmds", "app", "Up- or downstream lineage, INDIRECT dependencies included."),
    "migrate": Where(_M + "migrate_cmds", "app", "Copy the whole graph (and event log) from one store to another, then verify counts."),
    "parse-sql": Where(_M + "sql_cmds", "app", "Print a script's table and column lineage; touches no store."),
    "paths": Where(_M + "query_cmds", "app", "Exposure paths: labelled data reaching public/external endpoints, ranked by risk."),
    "plugins": Where(_M + "store_cmds", "app", "List ingestors and stores (built-in and third-party), and why any is disabled."),
    "policy": Where(_M + "policy_cmds", "policy_app", "Policies as code: evaluate, list, validate, findings."),
    "relabel": Where(_M + "sensitivity_cmds", "app", "Recompute every label from scratch (after a policy change or an import)."),
    "remediate": Where(_M + "policy_cmds", "remediate_app", "Responses by hand (audited, reversible with `undo`)."),
    "replay": Where(_M + "openlineage_cmds", "app", "Rebuild the graph from the OpenLineage event log, in the order events were logged."),
    "report": Where(_M + "query_cmds", "report_app", "Reports for people (HTML, Markdown, JSON)."),
    "restore": Where(_M + "migrate_cmds", "app", "Load a backup into the configured store (empty unless --force), then verify counts."),
    "runtime": Where(_M + "runtime_cmds", "runtime_app", "Runtime usage, anomalies and model-artefact verdicts."),
    "scan": Where(_M + "sensitivity_cmds", "app", "Sample a dataset, classify its columns, attach the verdicts as own labels."),
    "scan-model": Where(_M + "runtime_cmds", "app", "Scan model artefacts for unsafe serialisation; never loads or runs them."),
    "search": Where(_M + "store_cmds", "app", "Find node ids by name: the way into every other command."),
    "serve": Where(_M + "serve", "app", "Serve the API. With the embedded store, this process owns it while it runs."),
    "show": Where(_M + "store_cmds", "app", "Show one node and its edges."),
    "stats": Where(_M + "store_cmds", "app", "Count nodes by kind and edges by type."),
    "why": Where(_M + "sensitivity_cmds", "app", "Show the path(s) that bring a label to a node, from the nodes that own it."),
}  # fmt: skip

INGEST: dict[str, Where] = {
    "access-log": Where(_M + "runtime_cmds", "ingest_app", "Aggregate access logs into windowed usage edges, then refresh runtime findings."),
    "declared": Where(_M + "declared_cmds", "ingest_app", "Declare what runs where: endpoint exposure, what each serves, who may call it."),
    "notebook": Where(_M + "ai_cmds", "ingest_app", "Ingest Jupyter notebooks: jobs, datasets, models, indexes, endpoints, secrets."),
    "openlineage": Where(_M + "openlineage_cmds", "ingest_app", "Ingest OpenLineage events from files; invalid events are reported, valid ones land."),
    "sql": Where(_M + "sql_cmds", "ingest_app", "Ingest SQL scripts: tables, columns, jobs and transform-aware lineage."),
    "vector-config": Where(_M + "ai_cmds", "ingest_app", "Ingest vector-DB / RAG configs (embedchain, mem0, Haystack, Qdrant, Chroma, compose)."),
}  # fmt: skip


class LazyGroup(TyperGroup):
    """A group whose commands come from :data:`COMMANDS`-style tables, imported on use."""

    def __init__(self, *args: Any, table: dict[str, Where] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = COMMANDS if table is None else table
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*self.table, *self.commands})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        where = self.table.get(cmd_name)
        if where is None:
            return None
        if self._listing:  # help for the list only: no import
            return TyperCommand(cmd_name, help=where.help)
        if not where.module:  # a nested lazy group (``ingest``)
            return LazyGroup(name=cmd_name, help=where.help, table=INGEST, no_args_is_help=True)
        held = getattr(importlib.import_module(where.module), where.app)
        if where.app not in {"app", "ingest_app"}:  # the app *is* the group (policy, report)
            group = typer.main.get_group(held)  # a group even when it has one command
            group.name = cmd_name
            return group
        holder = typer.main.get_command(held)
        commands = getattr(holder, "commands", None)  # a group of several commands, or one
        if commands is not None:
            return commands.get(cmd_name)
        return holder if holder.name == cmd_name else None

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
