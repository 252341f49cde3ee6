"""The blast-radius report in HTML, Markdown or JSON, from one :class:`BlastRadius`.

The HTML is a single self-contained file (inline CSS and SVG, no script, no CDN): a summary
a CISO can read in thirty seconds, the picture, then the tables an engineer needs to act.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any, Literal

from lineage.report.picture import KIND_COLOUR, risk_colour, subgraph_svg
from lineage.timeutil import now_iso
from queries.blast_radius import BlastRadius
from queries.results import Path

__all__ = ["Format", "render", "summary"]

type Format = Literal["html", "md", "json"]

_EXPOSED = ("public", "external")


def summary(result: BlastRadius) -> dict[str, Any]:
    """The headline facts, in words and numbers (shared by every format)."""
    endpoints = result.endpoints
    exposed = [r for r in endpoints if r.node.exposure in _EXPOSED]
    models = result.models
    shadow = [r for r in models if r.node.registered is False]
    datasets = result.datasets  # the origin's own columns do not make it "affected"
    principals = sorted({p for r in endpoints for p in r.principals})
    verb = (
        ("leaked" if result.mode == "confidentiality" else "poisoned")
        if result.direction == "down"
        else "the source of a leak"
    )
    top = result.ranked[0] if result.ranked else None
    if result.direction == "down":
        headline = (
            f"If {result.origin.name} is {verb}, {len(endpoints)} endpoint(s) "
            f"({len(exposed)} public or external), {len(models)} model(s) and "
            f"{len(datasets)} dataset(s) are affected within {result.depth_reached} hop(s)."
        )
    else:
        headline = (
            f"{result.origin.name} can expose data from {len(datasets)} dataset(s), "
            f"{len(models)} model(s) and {by_kind(result, 'VectorIndex')} vector index(es) "
            f"upstream, within {result.depth_reached} hop(s)."
        )
    return {
        "headline": headline,
        "endpoints": len(endpoints),
        "exposed_endpoints": len(exposed),
        "models": len(models),
        "shadow_models": len(shadow),
        "datasets": len(datasets),
        "principals": len(principals),
        "labels": list(result.labels),
        "top": (
            {
                "uid": top.node.uid,
                "name": top.node.name,
                "kind": top.node.kind,
                "score": top.risk.score,
                "explanation": top.risk.explain(),
                "path": top.path.text(),
            }
            if top
            else None
        ),
    }


def by_kind(result: BlastRadius, kind: str) -> int:
    return result.by_kind.get(kind, 0)


def render(result: BlastRadius, fmt: Format, *, command: str = "") -> str:
    if fmt == "json":
        data = {"summary": summary(result), **result.to_dict(), "generated_at": now_iso()}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return _markdown(result, command)
    if fmt == "html":
        return _html(result, command)
    raise ValueError(f"unknown report format {fmt!r} (html, md, json)")


# -- Markdown ------------------------------------------------------------------------------
# Names come from the estate (SQL, notebooks, emitters): never trust them to be plain text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~!])")


def _md(text: object) -> str:
    """Text for a CommonMark/GFM table cell or paragraph (never at a line start): every
    character that can start inline markup (emphasis, links, images, raw HTML, entities,
    code spans, strikethrough, cells) backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _code(text: object) -> str:
    """A code span holding ``text`` verbatim: fenced by one more backtick than its longest
    run of backticks (backslashes do not escape inside code spans), and ``|`` escaped, which
    GFM tables honour inside code spans too."""
    body = " ".join(str(text).split()).replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall(r"`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _markdown(result: BlastRadius, command: str) -> str:
    s = summary(result)
    lines = [
        f"# Blast radius: {_md(result.origin.name)}",
        "",
        f"{_code(result.origin.uid)} · {result.direction}stream · {result.mode} mode · "
        f"depth {result.depth_reached}/{result.max_depth}"
        + (" · stale edges included" if result.include_stale else ""),
        "",
        "## Summary",
        "",
        _md(s["headline"]),
        "",
    ]
    if s["top"]:
        lines += [f"Highest risk: **{_md(s['top']['name'])}**, {_md(s['top']['explanation'])}.", ""]
        lines += [f"Path: {_code(s['top']['path'])}", ""]
    if s["labels"]:
        lines += [f"Sensitive labels in the radius: {_md(', '.join(s['labels']))}.", ""]
    lines += ["| kind | count |", "|---|---:|"]
    lines += [f"| {_md(k)} | {n} |" for k, n in result.by_kind.items()]
    lines += ["", "## Ranked endpoints, models and indexes", ""]
    lines += ["| risk | kind | name | exposure | labels | principals | depth | path |"]
    lines += ["|---:|---|---|---|---|---:|---:|---|"]
    for r in result.ranked:
        exposure = r.node.exposure or ("shadow" if r.node.registered is False else "")
        lines.append(
            f"| {r.risk.score:.1f} | {_md(r.node.kind)} | {_md(r.node.name)} | "
            f"{_md(exposure)} | {_md(', '.join(r.node.labels))} | {len(r.principals)} | "
            f"{r.depth} | {_md(r.path.text())} |"
        )
    lines += ["", "## Affected datasets and columns", ""]
    lines += ["| depth | kind | uid | labels |", "|---:|---|---|---|"]
    for a in result.affected:
        if a.node.kind in ("Dataset", "Column"):
            lines.append(
                f"| {a.depth} | {_md(a.node.kind)} | {_code(a.node.uid)} | "
                f"{_md(', '.join(a.node.labels))} |"
            )
    lines += ["", "## Edges", "", "| from | to | kind | transformation | via |"]
    lines += ["|---|---|---|---|---|"]
    for h in result.edges:
        lines.append(
            f"| {_code(h.src)} | {_code(h.dst)} | {_md(h.kind or h.rel)} | "
            f"{_md(h.transformation)} | {_md(h.via or '')} |"
        )
    if command:
        lines += ["", f"Reproduce: {_code(command)}"]
    lines += ["", f"Generated {now_iso()}."]
    return "\n".join(lines) + "\n"


# -- HTML ----------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#0f172a;
background:#f8fafc}
main{max-width:1200px;margin:0 auto;padding:28px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 10px}
.meta{color:#475569;font-size:13px}
.headline{font-size:17px;line-height:1.5;background:#fff;border-left:5px solid #dc2626;
padding:14px 18px;border-radius:6px;margin:18px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px 16px;
min-width:120px}.card b{display:block;font-size:26px}.card span{color:#475569;font-size:12px}
.figure{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:12px;overflow:auto}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #e2e8f0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f1f5f9}td.num{text-align:right}code{font-size:12px;word-break:break-all}
.risk{color:#fff;border-radius:4px;padding:1px 6px;font-weight:600}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:4px;
vertical-align:middle;border:1px solid #64748b}
.why{color:#475569;font-size:12px}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _path_cell(path: Path) -> str:
    """Names with arrows, and every hop's transformation one click away."""
    names = " → ".join(_e(n.name) for n in path.nodes)
    hops = "".join(
        f"<li><code>{_e(h.src)}</code> → <code>{_e(h.dst)}</code>: {_e(h.kind or h.rel)}, "
        f"{_e(h.transformation)}{f' via <code>{_e(h.via)}</code>' if h.via else ''}</li>"
        for h in path.hops
    )
    return f"{names}<details><summary>hops</summary><ol>{hops}</ol></details>"


def _html(result: BlastRadius, command: str) -> str:
    s = summary(result)
    picture = subgraph_svg(result)
    cards = [
        (s["endpoints"], "endpoints"),
        (s["exposed_endpoints"], "public or external"),
        (s["models"], "models"),
        (s["shadow_models"], "unregistered models"),
        (s["datasets"], "datasets"),
        (s["principals"], "principals with access"),
    ]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Blast radius: {_e(result.origin.name)}</title>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>Blast radius: {_e(result.origin.name)}</h1>",
        f"<div class='meta'><code>{_e(result.origin.uid)}</code> · {result.direction}stream · "
        f"{result.mode} mode · depth {result.depth_reached} of {result.max_depth}"
        f"{' · stale edges included' if result.include_stale else ''}"
        f"{' · truncated' if result.truncated else ''}</div>",
        f"<p class='headline' id='summary'>{_e(s['headline'])}",
    ]
    if s["top"]:
        parts.append(
            f"<br>Highest risk: <b>{_e(s['top']['name'])}</b> ({_e(s['top']['kind'])}), "
            f"score {s['top']['score']:.1f} of 100."
        )
    if s["labels"]:
        parts.append(f"<br>Sensitive data in the radius: {_e(', '.join(s['labels']))}.")
    parts.append("</p><div class='cards'>")
    parts += [f"<div class='card'><b>{n}</b><span>{_e(t)}</span></div>" for n, t in cards]
    parts.append("</div>")
    shown = (
        f"all {picture.total} tables and assets"
        if picture.shown == picture.total
        else f"{picture.shown} of {picture.total} (the paths to the ranked assets)"
    )
    legend = "".join(
        f"<span><i style='background:{c}'></i>{k}</span>" for k, c in KIND_COLOUR.items()
    )
    legend += (
        "<span><i style='background:#dc2626'></i>endpoint/model by risk (red high … green low)"
        "</span><span><i style='border:2px dashed #b91c1c;background:#fff'></i>holds "
        "sensitive labels</span><span><i style='background:#fff;border:3px solid #0f172a'>"
        "</i>origin</span>"
    )
    parts += [
        "<h2>Affected subgraph</h2>",
        f"<div class='meta'>Showing {shown}; columns are folded into their tables; red edges "
        "are the witness paths to the highest risks.</div>",
        f"<div class='legend'>{legend}</div>",
        f"<div class='figure'>{picture.svg}</div>",
        "<h2>Ranked endpoints, models and indexes</h2>",
        "<table id='ranked'><thead><tr><th>risk</th><th>kind</th><th>name</th>"
        "<th>exposure</th><th>labels</th><th>principals</th><th>depth</th><th>path</th>"
        "</tr></thead><tbody>",
    ]
    for r in result.ranked:
        exposure = r.node.exposure or ("unregistered" if r.node.registered is False else "")
        parts.append(
            f"<tr><td class='num'><span class='risk' style='background:"
            f"{risk_colour(r.risk.score)}'>{r.risk.score:.1f}</span>"
            f"<div class='why'>{_e(r.risk.explain())}</div></td><td>{_e(r.node.kind)}</td>"
            f"<td>{_e(r.node.name)}<br><code>{_e(r.node.uid)}</code></td>"
            f"<td>{_e(exposure)}</td><td>{_e(', '.join(r.node.labels))}</td>"
            f"<td class='num' title='{_e(', '.join(r.principals))}'>{len(r.principals)}</td>"
            f"<td class='num'>{r.depth}</td><td>{_path_cell(r.path)}</td></tr>"
        )
    parts.append("</tbody></table><h2>Affected datasets and columns</h2>")
    parts.append(
        "<table id='datasets'><thead><tr><th>depth</th><th>kind</th><th>uid</th>"
        "<th>labels</th></tr></thead><tbody>"
    )
    for a in result.affected:
        if a.node.kind in ("Dataset", "Column"):
            parts.append(
                f"<tr><td class='num'>{a.depth}</td><td>{_e(a.node.kind)}</td>"
                f"<td><code>{_e(a.node.uid)}</code></td>"
                f"<td>{_e(', '.join(a.node.labels))}</td></tr>"
            )
    parts.append("</tbody></table><h2>Edges</h2>")
    parts.append(
        "<table id='edges'><thead><tr><th>from</th><th>to</th><th>kind</th>"
        "<th>transformation</th><th>via</th></tr></thead><tbody>"
    )
    for h in result.edges:
        parts.append(
            f"<tr><td><code>{_e(h.src)}</code></td><td><code>{_e(h.dst)}</code></td>"
            f"<td>{_e(h.kind or h.rel)}</td><td>{_e(h.transformation)}</td>"
            f"<td><code>{_e(h.via or '')}</code></td></tr>"
        )
    parts.append("</tbody></table>")
    footer = f"Generated {now_iso()}."
    if command:
        footer += f" Reproduce: <code>{_e(command)}</code>"
    parts.append(f"<p class='meta'>{footer}</p></main></body></html>")
    return "".join(parts) + "\n"
