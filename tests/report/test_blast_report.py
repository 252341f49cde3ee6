"""The blast-radius report: written by the CLI, rendered in headless Chromium, checked for
the picture and the tables; Markdown and JSON carry the same facts."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parents[1] / "query"))
from graph_builder import Builder, ds, endpoint, model

from lineage.cli import app
from lineage.store import open_store

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
EMAIL = ["PII", "PII:EMAIL_ADDRESS"]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "store"
    store = open_store(path)
    try:
        b = Builder(store)
        b.flow("crm.email", "stg.email").flow("crm.note", "stg.note")
        b.flow("crm", "stg", column_detail=True)
        for i in range(3):
            b.flow("stg", f"feat{i}")
            b.flow(f"feat{i}", model(f"m{i}"), kind="train")
            b.flow(model(f"m{i}"), endpoint(f"api{i}"), kind="serve")
            b.endpoint(
                f"api{i}", ("public", "external", "internal")[i], *[f"u{j}" for j in range(i + 1)]
            )
        b.flow("stg", "<b>evil</b>")  # names are escaped, never markup
        b.write()
        for name in ("crm.email", "crm", "stg.email", "stg"):
            b.labels(name, EMAIL)
        for i in range(3):
            for name in (f"feat{i}", model(f"m{i}"), endpoint(f"api{i}")):
                b.labels(name, EMAIL)
    finally:
        store.close()
    return path


def _report(estate: Path, fmt: str, out: Path) -> str:
    result = CliRunner().invoke(
        app,
        [
            "--store",
            str(estate),
            "report",
            "blast-radius",
            ds("crm"),
            "--format",
            fmt,
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_html_is_self_contained_and_escapes_names(estate, tmp_path):
    html = _report(estate, "html", tmp_path / "r.html")
    assert "<script" not in html and "<link" not in html and " src=" not in html
    assert "<b>evil</b>" not in html and "&lt;b&gt;evil&lt;/b&gt;" in html
    assert html.count("<svg") == 1


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
def test_report_renders_in_headless_chromium(estate, tmp_path):
    page = tmp_path / "r.html"
    _report(estate, "html", page)
    dom = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / "p1")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = dom.stdout
    assert 'id="radius-graph"' in text
    drawn = set(re.findall(r'<g class="node" data-uid="([^"]+)"', text))
    assert drawn == {
        ds("crm"),
        ds("stg"),
        ds("<b>evil</b>").replace("<", "&lt;").replace(">", "&gt;"),
        *(ds(f"feat{i}") for i in range(3)),
        *(model(f"m{i}") for i in range(3)),
        *(endpoint(f"api{i}") for i in range(3)),
    }
    assert text.count('class="edge hot"') >= 3  # witness paths to the top risks
    for table in ("ranked", "datasets", "edges"):
        assert f'id="{table}"' in text
    assert "If app.crm is leaked, 3 endpoint(s) (2 public or external)" in text
    shot = tmp_path / "r.png"
    run = _chromium(f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri(),
                    profile=tmp_path / "p2")  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1600)
    assert len(data) > 30_000  # a rendered page with a picture, not a blank one
    shutil.copy(shot, tmp_path.parent / "blast_report.png")  # for a human look


def test_markdown_and_json_carry_the_same_facts(estate, tmp_path):
    md = _report(estate, "md", tmp_path / "r.md")
    assert md.startswith("# Blast radius: app.crm")
    assert "| risk | kind | name |" in md and "| Endpoint | api0 |" in md
    data = json.loads(_report(estate, "json", tmp_path / "r.json"))
    assert data["summary"]["endpoints"] == 3 and data["summary"]["exposed_endpoints"] == 2
    assert data["ranked"][0]["node"]["uid"] == endpoint("api0")
    assert data["ranked"][0]["risk"]["score"] > data["ranked"][-1]["risk"]["score"]


def test_unknown_node_is_a_clean_error(estate, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "--store",
            str(estate),
            "report",
            "blast-radius",
            ds("nope"),
            "-o",
            str(tmp_path / "x.html"),
        ],
    )
    assert result.exit_code != 0
    assert not (tmp_path / "x.html").exists()


HOSTILE_DS = "x`<img src=x onerror=alert(1)>`|*y* [l](evil.example) ![i](t.png) &lt; ~~s~~"
HOSTILE_JOB = "j`<script>alert(3)</script>`|z **b**"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Names as an emitter may send them: backticks, HTML, pipes, emphasis, links."""
    from graph_builder import NS

    from lineage import ids

    path = tmp_path_factory.mktemp("hostile") / "store"
    store = open_store(path)
    try:
        b = Builder(store)
        b.flow("src", HOSTILE_DS, via=ids.job_id(NS, HOSTILE_JOB))
        b.flow(HOSTILE_DS, model("m`<b>"), kind="train").flow(model("m`<b>"), endpoint("e|p"))
        b.endpoint("e|p", "public", "u1")
        b.write()
        b.labels("src", EMAIL)
    finally:
        store.close()
    return path


def test_markdown_escapes_every_name_for_commonmark(hostile, tmp_path):
    from markdown_it import MarkdownIt

    md = _report_of(hostile, ds("src"), "md", tmp_path / "r.md")
    html = MarkdownIt("commonmark").enable("table").render(md)
    for tag in ("<img", "<script", "<a ", "<b>", "<em>", "<strong>y", "<del>", "<s>"):
        assert tag not in html, (tag, md)
    # every table row keeps its columns: no pipe in a name opened a cell
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        widths = {
            row.count("<td") + row.count("<th")
            for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)
        }
        assert len(widths) == 1, table
    # the names survive, shown literally
    assert (
        "x`&lt;img src=x onerror=alert(1)&gt;`|*y* [l](evil.example) ![i](t.png) &amp;lt; ~~s~~"
        in html
    )
    assert "j`&lt;script&gt;alert(3)&lt;/script&gt;`|z **b**" in html


def test_html_escapes_every_name(hostile, tmp_path):
    html = _report_of(hostile, ds("src"), "html", tmp_path / "r.html")
    for raw in ("<img src=x", "<script>alert", "m`<b>"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the dataset
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html  # the job
    assert "m`&lt;b&gt;" in html  # the model


def _report_of(store: Path, uid: str, fmt: str, out: Path) -> str:
    args = ["--store", str(store), "report", "blast-radius", uid, "--format", fmt, "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")
