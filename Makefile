# Two entry points: `make demo` and `make test`. Both set up .venv on first use.
.PHONY: setup demo test bench

setup: .venv/.installed

.venv/.installed: pyproject.toml tests/cypher_lint/package-lock.json scripts/bootstrap tests/emitters/requirements-dbt.txt tests/emitters/requirements-spark.txt tests/emitters/requirements-airflow.txt
	./scripts/bootstrap

demo: setup
	.venv/bin/lineage demo

test: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports && .venv/bin/pytest

bench: setup
	.venv/bin/python -m bench.store_load
