"""Rows fetched from a DB-API cursor carry what its last statement read, and SQL-side model
calls (pgai) are sent the rows and bound values. Real files from tests/corpus/real (sources
and licences in the cases' expected.yaml)."""

from __future__ import annotations

from real_facts import flows as _flows
from real_facts import notebook as _facts

PGAI = "timescale-pgai__best_embedding_model_rag_app.ipynb"
NOMIC = "vectorindex:pgai:essays_nomic_embed_text_embeddings"


def test_rows_fetched_from_a_cursor_carry_the_table_it_selected() -> None:
    """pgai best_embedding_model_rag_app, cell 20::

        cur.execute(\"\"\"SELECT id, chunk_seq, chunk, title
                       FROM essays_nomic_embed_text_embeddings ...\"\"\", (NUM_CHUNKS,))
        for row in cur.fetchall():
            evaluation_chunks.append({... 'chunk': row[2], ...})
        pd.DataFrame(evaluation_chunks).to_csv('./chunks.csv')

    The embeddings view is the vectorizer's index; its rows saved to a file are a copy."""
    _, edges = _facts(PGAI)
    assert (NOMIC, "dataset:file:./chunks.csv", "transform") in _flows(edges)


def test_a_bound_value_reaches_the_model_a_statement_calls() -> None:
    """pgai best_embedding_model_rag_app, cell 22: the chunk is bound into
    ``SELECT ai.ollama_generate('llama3.2', %s, ...)``: the model reads retrieved rows."""
    _, edges = _facts(PGAI)
    assert (NOMIC, "model:ollama:llama3.2", "retrieve") in _flows(edges)


def test_a_schema_fetched_and_joined_into_a_prompt_reaches_the_llm() -> None:
    """anthropic-cookbook how_to_make_sql_queries, cell 9::

        schema = cursor.execute("PRAGMA table_info(employees)").fetchall()
        schema_str = "CREATE TABLE EMPLOYEES (\\n" + "\\n".join([...for col in schema]) + "\\n)"

    then ``ask_claude(question, schema_str)``: the string built around the rows carries them
    (it was lost at the second ``+`` of two strings)."""
    _, edges = _facts("anthropics-anthropic-cookbook__how_to_make_sql_queries.ipynb")
    sent = ("dataset:sqlite:employees", "model:anthropic:claude-3-opus-20240229", "infer")
    assert sent in _flows(edges)
