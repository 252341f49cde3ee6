"""Hard-coded credentials in deployment configs, on real lines from the real-world corpus.

Each row cites the corpus file and line it reads (tests/corpus/real/configs, recorded with
repo, commit and licence in the ``.expected.yaml`` beside it). The scan sees only those lines,
so each row checks one rule: what is a credential, what is a reference or placeholder, and
which kind it is named.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.secrets import scan_text

CONFIGS = Path(__file__).parents[1] / "corpus" / "real" / "configs"
LANGFUSE = "docker-compose.langfuse-langfuse__docker_compose.yml"
ONYX = "docker-compose.onyx-dot-app-onyx__deployment_docker_compose.yml"
ELASTIC = "docker-compose.elastic-elasticsearch-labs__docker_compose_elastic.yml"
K8S = "elastic-elasticsearch-labs__k8s_manifest_elastic.yml"


def _lines(name: str, first: int, last: int | None = None) -> str:
    lines = (CONFIGS / name).read_text(encoding="utf-8").splitlines()
    return "\n".join(lines[first - 1 : (last or first)]) + "\n"


@pytest.mark.parametrize(
    ("name", "line", "kinds"),
    [
        # literal on a credential-named variable, however weak; the service named by the variable
        ("docker-compose.timescale-pgai__discord_bot.yml", 17, ["POSTGRES_PASSWORD"]),
        ("docker-compose.mem0ai-mem0__openmemory_compose_pgvector.yml", 8, ["POSTGRES_PASSWORD"]),
        ("docker-compose.mem0ai-mem0__openmemory_compose_milvus.yml", 24, ["MINIO_ACCESS_KEY"]),
        ("docker-compose.mem0ai-mem0__openmemory_compose_milvus.yml", 25, ["MINIO_SECRET_KEY"]),
        (ELASTIC, 73, ["ELASTIC_PASSWORD"]),
        (ELASTIC, 127, ["ELASTIC_PASSWORD"]),  # ELASTICSEARCH_ is Elastic's
        (
            "docker-compose.mem0ai-mem0__openmemory_compose_opensearch.yml",
            10,
            ["OPENSEARCH_ADMIN_PASSWORD"],
        ),
        # ${VAR:-literal}: runs as written when VAR is unset
        (LANGFUSE, 191, ["POSTGRES_PASSWORD"]),
        (LANGFUSE, 34, ["CLICKHOUSE_PASSWORD"]),
        (LANGFUSE, 106, ["NEXTAUTH_SECRET"]),
        (LANGFUSE, 24, ["GENERIC_API_KEY"]),  # SALT
        (LANGFUSE, 25, ["GENERIC_API_KEY"]),  # ENCRYPTION_KEY, 64 zeros
        (LANGFUSE, 68, ["REDIS_PASSWORD"]),  # REDIS_AUTH is Redis's password
        (LANGFUSE, 151, ["MINIO_SECRET_KEY"]),  # MinIO's root password is its secret key
        (ONYX, 380, ["POSTGRES_PASSWORD"]),  # "password" as the value: a credential here
        (ONYX, 87, ["OPENSEARCH_ADMIN_PASSWORD"]),  # StrongPassword123! is no placeholder
        (ONYX, 93, ["MINIO_SECRET_KEY"]),  # minioadmin: MinIO's default, whatever the name
        (ONYX, 92, ["MINIO_ACCESS_KEY"]),  # S3_AWS_ACCESS_KEY_ID
        (ELASTIC, 131, ["GENERIC_API_KEY"]),  # XPACK_SECURITY_ENCRYPTIONKEY
        # compose command flags
        (LANGFUSE, 169, ["REDIS_PASSWORD"]),  # --requirepass ${REDIS_AUTH:-myredissecret}
        # a bare "password" with a vendor default value, and escaped JSON in a shell string
        (ELASTIC, 29, ["ELASTIC_PASSWORD"]),
        (ELASTIC, 111, ["PASSWORD"]),  # -d "{\"password\":\"elastic\"}"
        # camelCase Helm values
        ("vllm-project-production-stack__values_11_secure_vllm.yaml", 3, ["VLLM_API_KEY"]),
        ("berriai-litellm__proxy_server_config.yaml", 164, ["GENERIC_API_KEY"]),  # master_key
        ("berriai-litellm__example_config_load_balancer.yaml", 27, ["REDIS_PASSWORD"]),
        # references, empty defaults, placeholders, non-credentials: nothing
        (LANGFUSE, 82, []),  # ${AWS_ACCESS_KEY_ID:-}
        (LANGFUSE, 73, []),  # REDIS_TLS_KEY: a file path
        (LANGFUSE, 112, []),  # a PUBLIC_KEY, empty
        (ONYX, 208, []),  # NEXT_PUBLIC_FORGOT_PASSWORD_ENABLED
        ("docker-compose.opea-project-genaiexamples__chatqna_xeon_compose_milvus.yml", 78, []),
        ("docker-compose.opea-project-genaiexamples__cogniwareims_xeon_compose.yml", 59, []),
        ("berriai-litellm__proxy_server_config.yaml", 158, []),  # os.environ/REDIS_PASSWORD
        ("berriai-litellm__proxy_server_config.yaml", 61, []),  # fake-key
        ("deepset-ai-haystack__v1_rest_api_pipelines_web_lfqa.yaml", 6, []),  # an env var's name
        ("vllm-project-production-stack__values_09_lora_helm.yaml", 22, []),  # ditto, commented
        ("docker-compose.timescale-pgai__evaluations_ollama_vectorizer.yml", 7, []),  # "sk-proj-"
    ],
)
def test_real_config_lines(name: str, line: int, kinds: list[str]) -> None:
    text = _lines(name, line)
    assert [f.kind for f in scan_text(text, config=True)] == kinds, text


def test_kubernetes_name_value_pairs() -> None:
    """``- name: ELASTIC_PASSWORD`` / ``value: elastic`` (k8s env): the pair is one variable."""
    found = list(scan_text(_lines(K8S, 50, 51), config=True))
    assert [(f.kind, f.line) for f in found] == [("ELASTIC_PASSWORD", 2)]
    found = list(scan_text(_lines(K8S, 138, 139), config=True))
    assert [f.kind for f in found] == ["GENERIC_API_KEY"]


def test_a_url_repeating_a_named_password_is_one_credential() -> None:
    """POSTGRES_PASSWORD: postgres (line 17) and the same password inside DATABASE_URL
    (line 10) are one credential, reported once under its precise kind."""
    text = _lines("docker-compose.timescale-pgai__discord_bot.yml", 1, 20)
    assert [f.kind for f in scan_text(text, config=True)] == ["POSTGRES_PASSWORD"]


def test_same_value_under_two_names_is_two_credentials() -> None:
    """minioadmin/minioadmin is an access key and a secret key: both reported."""
    text = _lines("docker-compose.mem0ai-mem0__openmemory_compose_milvus.yml", 24, 25)
    assert [f.kind for f in scan_text(text, config=True)] == [
        "MINIO_ACCESS_KEY",
        "MINIO_SECRET_KEY",
    ]


def test_config_rows_do_not_apply_to_code() -> None:
    """In code an unquoted right-hand side is a variable: the config rows stay off."""
    assert list(scan_text(_lines(LANGFUSE, 191))) == []
    assert list(scan_text(_lines(ONYX, 380))) == []


def test_findings_hold_no_value() -> None:
    (finding,) = scan_text(_lines(ELASTIC, 131), config=True)
    assert "fhjsk" not in repr(finding)
    assert set(finding.__slots__) == {"kind", "line", "fingerprint"}
