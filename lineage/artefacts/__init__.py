"""Artefacts into the graph: the store-aware ingestion services the CLI, API and demo share.

:mod:`ingest` turns artefacts into facts without touching a store; the functions here add
what needs the graph (schema catalogs from known datasets, retiring lineage a changed file
no longer produces) and hand the facts to :func:`lineage.pipeline.ingest`.
"""
