"""HTTP interfaces: OpenLineage intake and GraphQL, built by :func:`create_app`."""

from lineage.api.app import create_app

__all__ = ["create_app"]
