# Two entry points: `make demo` and `make test`. Both set up .venv on first use.
.PHONY: setup demo test bench mutation

setup: .venv/.installed

.venv/.installed: pyproject.toml tests/cypher_lint/package-lock.json scripts/bootstrap tests/emitters/requirements-dbt.txt tests/emitters/requirements-spark.txt tests/emitters/requirements-airflow.txt
	./scripts/bootstrap

demo: setup
	.venv/bin/lineage demo

test: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports && .venv/bin/pytest

bench: setup
	.venv/bin/python -m bench.store_load

# Mutation score of the core packages (issue 14), on demand: tens of minutes, never in CI.
# A seeded sample of 120 mutants per package; e.g. MUTATION_ARGS="--sample 300 ingest/secrets".
MUTATION_ARGS ?=
mutation: setup
	.venv/bin/python -m pip install --quiet -e '.[mutation]'
	.venv/bin/python -m bench.mutation_score --run $(MUTATION_ARGS)
