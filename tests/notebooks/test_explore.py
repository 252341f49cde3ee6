"""lineage.explore on a small estate written through the real pipeline: what the graph keeps,
folds and filters, and what the two pictures contain."""

from __future__ import annotations

import pytest
from small_estate import ALICE, BOT, HR_API, JOB, MODEL, SHADOW, col, ds

from lineage.errors import LineageError
from lineage.explore import (
    estate_graph,
    interactive,
    label_matches,
    layers,
    path_graph,
    static,
    why_graph,
)
from lineage.sensitivity import why
from queries.exposure import exposure_paths


@pytest.fixture
def estate(store):
    from small_estate import load

    load(store)
    return store


def test_default_graph_folds_columns_and_merges_one_jobs_edges(estate):
    g = estate_graph(estate)
    assert {k for _, k in g.nodes(data="kind")} == {"Dataset", "Model", "Endpoint"}
    assert not any(u.startswith("column:") for u in g)
    # two column edges and the dataset edge of one job between two tables: one arrow
    arrows = g.get_edge_data(ds("crm.customers"), ds("features.tickets"))
    assert len(arrows) == 1
    (arrow,) = arrows.values()
    assert arrow["edges"] == 3 and arrow["granularity"] == "column" and not arrow["masking"]
    # the only edge into marts.contacts is masked: the folded arrow says so
    (masked,) = g.get_edge_data(ds("crm.customers"), ds("marts.contacts")).values()
    assert masked["masking"] is True
    assert g.nodes[SHADOW]["shadow"] is True and g.nodes[MODEL]["shadow"] is False
    assert g.nodes[BOT]["exposure"] == "public"
    assert set(g.nodes[BOT]["labels"]) == {"PII", "PII:EMAIL_ADDRESS"}


def test_label_filter_keeps_the_labels_footprint(estate):
    g = estate_graph(estate, labels=["PII:EMAIL_ADDRESS"])
    assert set(g) == {ds("crm.customers"), ds("features.tickets"), MODEL, BOT}
    assert g.has_edge(MODEL, BOT)
    category = estate_graph(estate, labels=["pii"])
    assert {ds("hr.people"), SHADOW, HR_API} <= set(category)
    assert ds("marts.contacts") not in category  # masked: never got the label


def test_namespace_filter_and_columns_as_nodes(estate):
    g = estate_graph(estate, namespaces=["snowflake://"], kinds=["Dataset", "Column"])
    assert {a["namespace"] for _, a in g.nodes(data=True)} == {"snowflake://acme"}
    assert g.has_edge(ds("crm.customers"), col("crm.customers", "email"))  # HAS_COLUMN kept
    assert g.has_edge(col("crm.customers", "email"), col("features.tickets", "email"))
    assert g.nodes[col("crm.customers", "email")]["name"] == "crm.customers.email"
    assert estate_graph(estate, namespaces=["postgres://"]).number_of_nodes() == 0


def test_principals_jobs_and_reads_point_the_way_data_moves(estate):
    g = estate_graph(estate, kinds=["Dataset", "Endpoint", "Principal", "Job"])
    assert g.has_edge(ALICE, BOT)
    assert g.has_edge(ds("crm.customers"), JOB)  # READS, drawn dataset -> job
    assert g.has_edge(JOB, ds("features.tickets"))  # WRITES
    order = layers(g)
    where = {u: k for k, members in order.items() for u in members}
    assert where[ALICE] == max(order)  # principals stand in the last column
    assert where[ds("crm.customers")] < where[JOB] < where[ds("features.tickets")]


def test_guards(estate):
    with pytest.raises(LineageError, match="kinds are"):
        estate_graph(estate, kinds=["Table"])
    with pytest.raises(LineageError, match="more than 2 nodes"):
        estate_graph(estate, max_nodes=2)
    assert label_matches("PII", "PII:EMAIL_ADDRESS") and not label_matches("PII:PERSON", "PII")


def test_path_and_why_graphs_keep_the_evidence(estate):
    (exposure,) = exposure_paths(estate, label="PII").results
    g = path_graph([exposure.path])
    assert [n.uid for n in exposure.path.nodes] == [
        col("crm.customers", "email"),
        col("features.tickets", "email"),
        ds("features.tickets"),
        MODEL,
        BOT,
    ]
    assert all(g.has_edge(h.src, h.dst) for h in exposure.path.hops)
    (fine_tune,) = g.get_edge_data(ds("features.tickets"), MODEL).values()
    assert fine_tune["kind"] == "fine_tune" and fine_tune["via"] == JOB
    (part_of,) = g.get_edge_data(col("features.tickets", "email"), ds("features.tickets")).values()
    assert part_of["rel"] == "HAS_COLUMN"

    (provenance,) = why(estate, BOT, "PII:EMAIL_ADDRESS")
    w = why_graph(estate, [provenance])
    assert w.nodes[col("crm.customers", "email")]["holds"] == "PII:EMAIL_ADDRESS"
    assert w.has_edge(col("crm.customers", "email"), col("features.tickets", "email"))
    assert w.has_edge(MODEL, BOT) and w.nodes[BOT]["kind"] == "Endpoint"


def test_interactive_page_is_offline_and_carries_the_graph(estate):
    g = estate_graph(estate, kinds=["Dataset", "Model", "Endpoint", "Principal"])
    picture = interactive(g, highlight=[(MODEL, BOT)])
    page = picture.page
    assert "vis.Network" in page and "new vis.DataSet" in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing from the network
    assert BOT in page and "shadow AI: not registered" in page and "#dc2626" in page
    assert (picture.nodes, picture.edges) == (g.number_of_nodes(), g.number_of_edges())
    html = picture._repr_html_()
    assert html.startswith("<iframe srcdoc=") and "&lt;script" in html


def test_static_picture_draws_every_node_and_renders_png(estate, tmp_path):
    g = estate_graph(estate)
    picture = static(g, highlight=[(MODEL, BOT)], title="estate")
    assert set(picture.positions) == set(g)
    xs = {u: x for u, (x, _) in picture.positions.items()}
    assert xs[ds("crm.customers")] < xs[ds("features.tickets")] < xs[MODEL] < xs[BOT]
    png = picture.png(dpi=40)
    assert png.startswith(b"\x89PNG")
    picture.save(str(tmp_path / "estate.svg"))
    svg = (tmp_path / "estate.svg").read_text()
    assert "support-bot" in svg and "hr-model" in svg


def test_interactive_page_escapes_names_from_artefacts():
    import networkx as nx

    hostile = "</script><script>alert(1)</script>"
    g = nx.MultiDiGraph()
    g.add_node("dataset:s3://x:a", kind="Dataset", name=hostile, labels=("PII",))
    g.add_node("endpoint:https://x:b", kind="Endpoint", name="b", exposure="public")
    g.add_edge("dataset:s3://x:a", "endpoint:https://x:b", rel="FLOWS_TO", via=hostile)
    page = interactive(g).page
    assert hostile not in page  # present only JSON-escaped: it cannot close the script
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page


def test_static_picture_draws_names_as_text_not_mathtext():
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_node("dataset:s3://x:a", kind="Dataset", name="fin.$revenue_^{usd}$", labels=())
    g.add_node("dataset:s3://x:b", kind="Dataset", name="b$", labels=())
    g.add_edge("dataset:s3://x:a", "dataset:s3://x:b", rel="FLOWS_TO")
    assert static(g, title="$ per table").png(dpi=30).startswith(b"\x89PNG")
