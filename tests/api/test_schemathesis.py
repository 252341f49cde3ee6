"""The OpenAPI document is a contract: schemathesis generates requests for every operation
from it and sends them to a real ``lineage serve``; every answer must be one the document
declares (status, content type, headers, body schema), and no request may get a 5xx.

Bounded time: a few derandomized examples per operation. (schemathesis's lazy pytest
fixture loader does not run under pytest 9, so operations are enumerated from the document
the app builds, and the served document is checked to be the same one.)
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from gql_server import Serve
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lineage.api import create_app
from lineage.settings import Settings
from lineage.store import open_store

READ, WRITE = "read-token-contract", "write-token-contract"
LIMIT = 1024 * 1024
SETTINGS = Settings(store="unused", api_token=WRITE, read_token=READ, max_request_bytes=LIMIT)
DOCUMENT = create_app(SETTINGS).openapi()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = sorted(
    (op.ok() for op in SCHEMA.get_all_operations()), key=lambda op: (op.path, op.method)
)


@pytest.fixture(scope="module")
def contract_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    root = tmp_path_factory.mktemp("contract")
    open_store(root / "store").close()
    env = {
        "LINEAGE_API_TOKEN": WRITE,
        "LINEAGE_READ_TOKEN": READ,
        "LINEAGE_POLICIES": "off",
        "LINEAGE_MAX_REQUEST_BYTES": str(LIMIT),
    }
    serve = Serve(root / "store", env)
    serve.start()
    try:
        yield serve
    finally:
        serve.stop()


def test_the_served_document_is_the_one_tested(contract_server: Serve) -> None:
    assert httpx.get(f"{contract_server.url}/openapi.json").json() == DOCUMENT


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_every_operation_keeps_its_contract(contract_server: Serve, operation) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(
        max_examples=8,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(
            base_url=contract_server.url,
            headers={"Authorization": f"Bearer {WRITE}"},
            timeout=30,
            # The document cannot say every rule a body must keep (OpenLineage run ids,
            # id lengths, NUL bytes, `text` xor `records`): a schema-valid body may still be
            # refused, with a documented 4xx. Everything else is checked.
            excluded_checks=[positive_data_acceptance],
        )

    run()
