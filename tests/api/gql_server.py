"""A real ``lineage serve`` on loopback for the GraphQL tests (see tests/lineage_serve.py)."""

from lineage_serve import LineageServe as Serve
from lineage_serve import free_port

__all__ = ["Serve", "free_port"]
