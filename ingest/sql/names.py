"""Table names as written in the SQL, and the case-folded keys used to match them.

Reports keep names the way the author wrote them (``Sales.Orders``); matching (is this
table read later? is it in the catalog?) uses a key with quotes removed and case folded,
which is how every warehouse we target resolves unquoted names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlglot import exp

__all__ = ["name_key", "table_name", "table_parts"]

_NEEDS_QUOTES = re.compile(r"[.\s]")


def _part(identifier: exp.Expr | None) -> str:
    if identifier is None:
        return ""
    if isinstance(identifier, exp.Identifier):
        text = identifier.this
    elif isinstance(identifier, exp.Dot):
        return ".".join(_part(p) for p in identifier.flatten())
    else:
        text = identifier.name
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def table_parts(table: exp.Table) -> list[str]:
    """``[catalog, db, name]`` with the empty ones dropped, each unquoted."""
    parts = [_part(table.args.get(key)) for key in ("catalog", "db")]
    this = table.this
    if isinstance(this, exp.Dot):
        parts.extend(_part(p) for p in this.flatten())
    else:
        parts.append(_part(this))
    return [p for p in parts if p]


def table_name(table: exp.Table) -> str:
    """The dotted name as written, without quotes (``"a"."B"`` -> ``a.B``)."""
    return ".".join(table_parts(table))


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Matching key: quotes stripped, case folded (``[dbo].[T]`` -> ``dbo.t``)."""
    return name.translate(_UNQUOTE).lower()


_UNQUOTE = str.maketrans("", "", '"`[]')
