"""Notebook ingestion: the whole corpus, bad input, magics, value tracking, the registry."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from ingest.notebook import RECOGNISERS, notebook_facts
from ingest.notebook.cells import split_cell
from ingest.notebook.recognisers import Call, Rule
from ingest.notebook.values import Val
from lineage import ids
from lineage.model import Edge, Kind, Labeling, Node, Problem, Rel, Severity
from lineage.pipeline import ingest
from lineage.store import Store

CORPUS = Path(__file__).parents[1] / "corpus" / "notebooks"
NOTEBOOKS = sorted(CORPUS.glob("*.ipynb"))


def _nb(tmp_path: Path, *cells: str, name: str = "nb.ipynb", outputs: dict | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    for i, source in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        if outputs and i in outputs:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=outputs[i])]
        nb.cells.append(cell)
    path = tmp_path / name
    path.write_text(nbformat.writes(nb))
    return path


def _flows(facts: list) -> set[str]:
    return {
        f"{f.src} -{f.props['kind']}-> {f.dst}"
        for f in facts
        if isinstance(f, Edge) and f.rel is Rel.FLOWS_TO
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_corpus_notebook_ingests(path: Path) -> None:
    facts = list(notebook_facts(path, ref=path.name))
    errors = [f for f in facts if isinstance(f, Problem) and f.severity is Severity.ERROR]
    assert not errors
    jobs = [f for f in facts if isinstance(f, Node) and f.kind is Kind.JOB]
    assert [j.props["job_type"] for j in jobs] == ["notebook"]
    for fact in facts:  # every id parses and every edge end is a node we emitted
        if isinstance(fact, Edge):
            ids.parse(fact.src), ids.parse(fact.dst)


def test_corpus_notebook_lands_in_the_store(store: Store) -> None:
    path = CORPUS / "hf-cookbook__rag_with_hf_and_milvus.ipynb"
    report = ingest(store, notebook_facts(path, ref=path.name))
    assert not report.errors
    index = store.get_node("vectorindex:milvus:rag_collection")
    assert index is not None
    assert index.props["embedding_model"] == "model:huggingface:BAAI/bge-small-en-v1.5"
    job = store.get_node(f"job:notebook:{path.name}")
    assert job is not None and job.props["job_type"] == "notebook"
    leaky = CORPUS / "qdrant-examples__langchain_integration.ipynb"
    ingest(store, notebook_facts(leaky, ref=leaky.name))
    job = store.get_node(f"job:notebook:{leaky.name}")
    assert job is not None and "SECRET:JWT" in job.props["own_labels"]
    assert "eyJhbGci" not in repr(job.props)  # the key's evidence, never the key


# -- bad input ---------------------------------------------------------------------------------


def test_truncated_json_is_one_error_and_no_facts(tmp_path: Path) -> None:
    good = (CORPUS / "embedchain__chromadb.ipynb").read_text()
    path = tmp_path / "cut.ipynb"
    path.write_text(good[: len(good) // 2])
    facts = list(notebook_facts(path))
    assert len(facts) == 1 and isinstance(facts[0], Problem)
    assert facts[0].severity is Severity.ERROR
    assert "not valid JSON" in facts[0].message and facts[0].snippet


def test_unknown_nbformat_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v9.ipynb"
    path.write_text(json.dumps({"nbformat": 9, "nbformat_minor": 0, "cells": [], "metadata": {}}))
    (problem,) = notebook_facts(path)
    assert isinstance(problem, Problem) and problem.severity is Severity.ERROR
    assert "unsupported nbformat version 9" in problem.message


def test_not_a_notebook(tmp_path: Path) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text('{"cells": []}')
    (problem,) = notebook_facts(path)
    assert "no 'nbformat'" in problem.message


def test_syntax_error_cell_is_skipped_and_the_rest_analysed(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "import pandas as pd\ndf = pd.read_csv('data/in.csv')",
        "def broken(:\n    pass",
        "df.to_parquet('data/out.parquet')",
    )
    facts = list(notebook_facts(path, ref="nb.ipynb"))
    warnings = [f for f in facts if isinstance(f, Problem)]
    assert len(warnings) == 1 and warnings[0].severity is Severity.WARNING
    assert "cell1" in warnings[0].source_ref and "syntax error" in warnings[0].message
    assert "dataset:file:data/in.csv -transform-> dataset:file:data/out.parquet" in _flows(facts)


def test_validation_errors_are_listed_not_fatal(tmp_path: Path) -> None:
    nb = json.loads(nbformat.writes(nbformat.v4.new_notebook()))
    nb["cells"] = [
        {
            "cell_type": "code",
            "source": "import pandas as pd\npd.read_csv('a.csv')",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "bogus": 1,
        }
    ]
    path = tmp_path / "invalid.ipynb"
    path.write_text(json.dumps(nb))
    facts = list(notebook_facts(path, ref="invalid.ipynb"))
    assert any(isinstance(f, Problem) and "validation" in f.message for f in facts)
    assert any(isinstance(f, Edge) and f.dst == "dataset:file:./a.csv" for f in facts)


def test_nbformat_v3_notebooks_load(tmp_path: Path) -> None:
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": "old"},
        "worksheets": [
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "language": "python",
                        "outputs": [],
                        "input": "import pandas as pd\ndf = pd.read_json('s3://b/k.json')",
                    }
                ]
            }
        ],
    }
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3))
    facts = list(notebook_facts(path))
    job = next(f for f in facts if isinstance(f, Node) and f.kind is Kind.JOB)
    assert job.props["nbformat"] == 3
    assert any(isinstance(f, Edge) and f.dst == "dataset:s3://b:k.json" for f in facts)


# -- magics ------------------------------------------------------------------------------------


def test_magics_and_shell_escapes_keep_blocks_and_lines() -> None:
    code = split_cell("x = 1\nif x:\n    !pip install foo\n    %time y = 2\nfiles = !ls\nlen?")
    assert code.python.splitlines() == [
        "x = 1",
        "if x:",
        "    pass",
        "    pass",
        "files = None",
        "pass",
    ]
    assert code.shell == ["pip install foo", "ls"]


def test_cell_magics() -> None:
    sql = split_cell("%%sql postgresql://u@db:5432/shop\nSELECT * FROM orders")
    assert sql.sql == [("postgresql://u@db:5432/shop", "SELECT * FROM orders")]
    assert split_cell("%%bash\nwget https://x.org/a.csv\n").shell == ["wget https://x.org/a.csv"]
    written = split_cell("%%writefile app.py\nimport gradio as gr\n")
    assert written.writes_file == "app.py" and "import gradio" in written.python
    assert split_cell("%%javascript\nalert(1)").skipped_language == "javascript"


def test_sql_magic_and_spark_sql_reach_the_sql_ingestor(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "%%sql postgresql://u@db.internal:5432/shop\n"
        "INSERT INTO mart.daily SELECT * FROM raw.orders",
        "df = spark.sql('SELECT id, email FROM crm.customers')\ndf.write.parquet('s3://lake/c/')",
    )
    facts = list(notebook_facts(path))
    reads = {f.dst for f in facts if isinstance(f, Edge) and f.rel is Rel.READS}
    assert "dataset:postgres://db.internal:5432:raw.orders" in reads
    assert "dataset:spark:crm.customers" in reads
    assert "dataset:spark:crm.customers -transform-> dataset:s3://lake:c/" in _flows(facts)
    jobs = {f.uid for f in facts if isinstance(f, Node) and f.kind is Kind.JOB}
    assert jobs == {f"job:notebook:{path.as_posix()}"}  # the SQL job is the notebook's job


# -- value tracking ----------------------------------------------------------------------------


def test_training_through_variables_and_functions(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "import pandas as pd\nfrom datasets import load_dataset\n"
        "from transformers import AutoModelForSequenceClassification, Trainer\n"
        "raw = load_dataset('acme/tickets')\nextra = pd.read_parquet('s3://acme/pii/users.parquet')",
        "def build(model, data):\n    return Trainer(model=model, train_dataset=data)",
        "base = AutoModelForSequenceClassification.from_pretrained('bert-base-uncased')\n"
        "ds = raw['train'].map(lambda r: r)\nt = build(base, ds)",
        "t.train()\nt.save_model('out/ticket-clf')\n",
        "from sklearn.ensemble import RandomForestClassifier\nclf = RandomForestClassifier()\n"
        "clf.fit(extra.drop(columns=['y']), extra['y'])\nimport joblib\njoblib.dump(clf, 'rf.pkl')",
    )
    flows = _flows(list(notebook_facts(path, ref="nb.ipynb")))
    assert "dataset:huggingface:acme/tickets -fine_tune-> model:notebook:nb.ipynb#base" in flows
    assert "model:huggingface:bert-base-uncased -fine_tune-> model:notebook:nb.ipynb#base" in flows
    assert "model:notebook:nb.ipynb#base -export-> model:file:out/ticket-clf" in flows
    assert "dataset:s3://acme:pii/users.parquet -train-> model:notebook:nb.ipynb#clf" in flows
    assert "model:notebook:nb.ipynb#clf -export-> model:file:./rf.pkl" in flows
    assert not any("users.parquet -fine_tune" in f for f in flows)  # no cross-talk


def test_llm_calls_egress_and_gradio_share_is_public(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "import pandas as pd\nfrom openai import OpenAI\nimport gradio as gr\n"
        "client = OpenAI()\ncustomers = pd.read_csv('crm/customers.csv')",
        "def answer(q):\n    r = client.chat.completions.create(model='gpt-4o', messages=[\n"
        "        {'role': 'user', 'content': q + customers.to_string()}])\n"
        "    return r.choices[0].message.content",
        "demo = gr.Interface(fn=answer, inputs='text', outputs='text')\ndemo.launch(share=True)",
    )
    facts = list(notebook_facts(path, ref="nb.ipynb"))
    flows = _flows(facts)
    assert "dataset:file:crm/customers.csv -infer-> model:openai:gpt-4o" in flows
    assert "model:openai:gpt-4o -serve-> endpoint:gradio:nb.ipynb#demo" in flows
    endpoint = next(f for f in facts if isinstance(f, Node) and f.kind is Kind.ENDPOINT)
    assert endpoint.props["exposure"] == "public"
    model = next(f for f in facts if isinstance(f, Node) and f.uid == "model:openai:gpt-4o")
    assert model.props["provider"] == "openai"


def test_gradio_without_share_has_unknown_exposure(tmp_path: Path) -> None:
    path = _nb(tmp_path, "import gradio as gr\ndemo = gr.Interface(fn=print)\ndemo.launch()")
    facts = list(notebook_facts(path, ref="nb.ipynb"))
    endpoint = next(f for f in facts if isinstance(f, Node) and f.kind is Kind.ENDPOINT)
    assert endpoint.props["exposure"] == "unknown"


def test_streamlit_app_written_from_the_notebook_and_tunnelled_is_public(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "%%writefile app.py\nimport streamlit as st\nimport anthropic\n"
        "client = anthropic.Anthropic()\nq = st.text_input('q')\n"
        "r = client.messages.create(model='claude-3-5-sonnet-latest', messages=[q])\n"
        "st.write(r.content)",
        "!streamlit run app.py & npx localtunnel --port 8501",
    )
    facts = list(notebook_facts(path, ref="nb.ipynb"))
    (endpoint,) = [f for f in facts if isinstance(f, Node) and f.kind is Kind.ENDPOINT]
    assert endpoint.uid == "endpoint:streamlit:nb.ipynb"
    assert endpoint.props["exposure"] == "public" and endpoint.props["port"] == 8501
    assert _flows(facts) == {
        "model:anthropic:claude-3-5-sonnet-latest -serve-> endpoint:streamlit:nb.ipynb"
    }


def test_fastapi_rag_service_behind_ngrok(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "from fastapi import FastAPI\nimport uvicorn\nfrom pyngrok import ngrok\n"
        "from langchain_openai import ChatOpenAI, OpenAIEmbeddings\n"
        "from langchain_community.vectorstores import Chroma\n"
        "from langchain_community.document_loaders import PyPDFLoader\n"
        "docs = PyPDFLoader('policies/hr.pdf').load()\n"
        "db = Chroma.from_documents(docs, OpenAIEmbeddings(model='text-embedding-3-small'),"
        " collection_name='hr')\nllm = ChatOpenAI(model='gpt-4o-mini')\napp = FastAPI()",
        "@app.post('/ask')\ndef ask(q: str):\n    ctx = db.similarity_search(q)\n"
        "    return llm.invoke(f'{ctx} {q}')",
        "ngrok.connect(8000)\nuvicorn.run(app, host='0.0.0.0', port=8000)",
    )
    facts = list(notebook_facts(path, ref="nb.ipynb"))
    assert _flows(facts) == {
        "dataset:file:policies/hr.pdf -infer-> model:openai:text-embedding-3-small",
        "dataset:file:policies/hr.pdf -embed-> vectorindex:chroma:hr",
        "vectorindex:chroma:hr -retrieve-> model:openai:gpt-4o-mini",
        "vectorindex:chroma:hr -retrieve-> endpoint:fastapi:nb.ipynb#app",
        "model:openai:gpt-4o-mini -serve-> endpoint:fastapi:nb.ipynb#app",
    }
    (endpoint,) = [f for f in facts if isinstance(f, Node) and f.kind is Kind.ENDPOINT]
    assert endpoint.props["routes"] == ["POST /ask"]
    # the tunnel is opened before uvicorn names the port: the only endpoint is published
    assert endpoint.props["exposure"] == "public"


def test_tgi_launch_from_a_shell_escape(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "!docker run -p 8080:80 ghcr.io/huggingface/text-generation-inference "
        "--model-id mistralai/Mistral-7B-Instruct-v0.2",
    )
    flows = _flows(list(notebook_facts(path, ref="nb.ipynb")))
    assert flows == {
        "model:huggingface:mistralai/Mistral-7B-Instruct-v0.2 -serve-> endpoint:tgi:nb.ipynb#tgi"
    }


# -- secrets and outputs -----------------------------------------------------------------------


def test_secret_is_labelled_but_never_stored(tmp_path: Path) -> None:
    key = "sk-proj-" + "Q7fT2mZk9Lw4Rb8Nc1Vx6Hy3Jp5Gd0Se"
    path = _nb(
        tmp_path,
        "import os",
        f"os.environ['OPENAI_API_KEY'] = '{key}'",
        outputs={0: "token: ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"},
    )
    facts = list(notebook_facts(path, ref="nb.ipynb"))
    labels = sorted((str(f.label), f.source_ref) for f in facts if isinstance(f, Labeling))
    assert labels == [
        ("SECRET:GITHUB_TOKEN", "nb.ipynb#cell0:output:1"),
        ("SECRET:OPENAI_API_KEY", "nb.ipynb#cell1:1"),
    ]
    assert all(f.uid == "job:notebook:nb.ipynb" for f in facts if isinstance(f, Labeling))
    assert key not in repr(facts) and "Q7fT2mZk9" not in repr(facts)


def test_outputs_are_classified_as_samples_of_the_data_read(tmp_path: Path) -> None:
    path = _nb(
        tmp_path,
        "import pandas as pd\ndf = pd.read_csv('crm.csv')\nprint(df.head())",
        outputs={0: "   name  email\n0  Ann  ann@example.org\n"},
    )
    seen: list[str] = []

    class Found:
        label = "PII:EMAIL_ADDRESS"
        hits = 1
        confidence = 0.9
        detector = "test-regex"

    def classifier(texts: list[str]) -> list[Found]:
        seen.extend(texts)
        return [Found()] if any("@" in t for t in texts) else []

    facts = list(notebook_facts(path, ref="nb.ipynb", classifier=classifier))
    (labeling,) = [f for f in facts if isinstance(f, Labeling)]
    assert labeling.uid == "dataset:file:./crm.csv"
    assert str(labeling.label) == "PII:EMAIL_ADDRESS"
    assert seen == ["   name  email\n0  Ann  ann@example.org\n"]


def test_project_classifier_labels_a_printed_table(tmp_path: Path) -> None:
    from ingest.notebook import presidio_classifier

    table = "   name  email\n0  Ann  ann@example.org\n1  Bob  bob@corp.example.com\n"
    path = _nb(
        tmp_path,
        "import pandas as pd\ndf = pd.read_csv('crm.csv')\ndf.head()",
        "print('done')",
        outputs={0: table, 1: "done\n"},
    )
    facts = list(notebook_facts(path, ref="nb.ipynb", classifier=presidio_classifier()))
    labels = {(f.uid, str(f.label)) for f in facts if isinstance(f, Labeling)}
    assert labels == {("dataset:file:./crm.csv", "PII:EMAIL_ADDRESS")}


# -- the registry ------------------------------------------------------------------------------


def test_registry_is_a_table_that_takes_new_rows(tmp_path: Path) -> None:
    def read_table(call: Call) -> Val | None:
        return Val(data=frozenset({ids.dataset_id("acme", call.text(0) or "?")}))

    assert not RECOGNISERS.lookup("acmelib.load_table")
    rule = Rule(("acmelib.load_table",), read_table, "acme reads")
    RECOGNISERS.add(rule)
    try:
        path = _nb(tmp_path, "import acmelib\nt = acmelib.load_table('sales')\nt.to_csv('out.csv')")
        flows = _flows(list(notebook_facts(path, ref="nb.ipynb")))
        assert "dataset:acme:sales -transform-> dataset:file:./out.csv" in flows
    finally:
        RECOGNISERS.remove(rule)
    assert [r.what for r in RECOGNISERS.lookup("pandas.read_parquet")] == ["pandas reads"]


def test_analysing_a_cell_prints_no_syntax_warnings_of_the_users_code() -> None:
    """Issue 19.10: ``re.compile("\\d+")`` (an invalid escape, common in real notebooks; none
    in the corpus has one) made every ingest print the interpreter's SyntaxWarning."""
    import warnings

    import nbformat

    from ingest.notebook import notebook_facts

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell('import re\nDIGITS = re.compile("\\d+")\n'))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(notebook_facts("regex.ipynb", text=nbformat.writes(nb)))
    assert not [w for w in caught if issubclass(w.category, SyntaxWarning)]


@pytest.mark.parametrize("bomb", ["x = " + "-" * 100_000 + "1", "x = 1" + "+1" * 100_000])
def test_a_cell_too_complex_to_parse_is_reported_and_the_folder_goes_on(
    tmp_path: Path, bomb: str
) -> None:
    """CPython's parser overflows its stack on such cells (MemoryError / RecursionError)."""
    from typer.testing import CliRunner

    from lineage.cli import app

    folder = tmp_path / "nbs"
    folder.mkdir()
    _nb(folder, bomb, "import pandas as pd\npd.read_csv('s3://lake/a.csv')", name="bomb.ipynb")
    _nb(folder, "import pandas as pd\npd.read_csv('s3://lake/b.csv')", name="ok.ipynb")
    facts = list(notebook_facts(folder / "bomb.ipynb", ref="bomb.ipynb"))
    problems = [(p.message, p.source_ref) for p in facts if isinstance(p, Problem)]
    assert problems == [("cell too complex to parse; skipped", "bomb.ipynb#cell0")]
    assert "dataset:s3://lake:a.csv" in {f.uid for f in facts if isinstance(f, Node)}
    store = tmp_path / "store"
    result = CliRunner().invoke(app, ["--store", str(store), "ingest", "notebook", str(folder)])
    assert result.exit_code == 0, result.output
    assert "bomb.ipynb#cell0: cell too complex to parse; skipped" in result.output
    assert "notebooks: 2 files" in result.output


def test_secrets_after_megabytes_of_cell_text_and_output_are_found(tmp_path: Path) -> None:
    """The scan stopped at 2 MB of a cell and at 64 KiB of a cell's output."""
    key = "ghp_" + "Q7fT2mZk9Lw4Rb8Nc1Vx6Hy3Jp5Gd0SeU2oI"
    late_in_source = "# " + "filler " * 360_000 + f"\ntoken = '{key}'\n"
    late_in_output = "log line\n" * 20_000 + f"using password = 'Pa55-{key[4:20]}'\n"
    path = _nb(tmp_path, late_in_source, "print(1)", outputs={1: late_in_output})
    labels = {
        (str(f.label), f.source_ref.rpartition("#")[2].split(":")[0])
        for f in notebook_facts(path, ref=path.name)
        if isinstance(f, Labeling)
    }
    assert ("SECRET:GITHUB_TOKEN", "cell0") in labels
    assert ("SECRET:PASSWORD", "cell1") in labels
