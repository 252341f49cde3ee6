"""The point of transform-aware lineage: sensitivity labels follow the SQL precisely.

A PII email column is copied, hashed, and used in a WHERE. Only the copy is PII afterwards:
the hash is masked, the filter decides rows but carries no values.
"""

from __future__ import annotations

from ingest.sql import sql_facts
from lineage import ids
from lineage.model import Label, Labeling
from lineage.pipeline import ingest
from lineage.store import Store

NS = "postgres://db:5432"
SQL = """CREATE TABLE stage.users AS
SELECT id, sha2(email, 256) AS email_hash, email AS contact, country
FROM crm.users WHERE email LIKE '%@corp.com';
INSERT INTO mart.contacts SELECT contact, upper(country) AS country FROM stage.users;
"""


def test_labels_follow_values_not_hashes_or_filters(store: Store) -> None:
    facts = list(sql_facts(SQL, dialect="postgres", namespace=NS, path="etl.sql"))
    email = ids.column_id(NS, "crm.users", "email")
    facts.append(Labeling(email, Label("PII", "EMAIL_ADDRESS"), "test", 1.0))
    ingest(store, facts)

    def labels(table: str, column: str) -> set[str]:
        node = store.get_node(ids.column_id(NS, table, column))
        assert node is not None
        return set(node.labels)

    assert "PII:EMAIL_ADDRESS" in labels("stage.users", "contact")
    assert "PII:EMAIL_ADDRESS" in labels("mart.contacts", "contact")  # through the intermediate
    assert "PII:EMAIL_ADDRESS" not in labels("stage.users", "email_hash")  # masked
    assert not labels("stage.users", "country")  # the WHERE on email carries no values
    assert not labels("mart.contacts", "country")
