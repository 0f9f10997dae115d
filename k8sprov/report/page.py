"""The HTML page (`report --html`): the fleet at a glance, one self-contained file.

No script, no external style sheet, font or image: a CI artefact opened from disk, or behind a strict
Content-Security-Policy, shows all of it. Every text from a summary goes through html.escape. The layout
wraps instead of scrolling sideways: fixed table layout at 100 % width, and long names break anywhere.
"""

from __future__ import annotations

from html import escape

from k8sprov.report.comment import counts_phrase
from k8sprov.report.model import COLUMNS, EnvEntry, FleetReport

_CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:16px 24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
 color:#1f2328;background:#fff;overflow-wrap:anywhere;word-break:break-word}
main{max-width:1280px;margin:0 auto}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;
 padding-bottom:4px}h3{font-size:15px;margin:12px 0 6px}
.facts{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.fact{border:1px solid #d0d7de;border-radius:6px;padding:6px 12px;background:#f6f8fa}
.fact b{font-size:18px;margin-right:4px}
table{width:100%;table-layout:fixed;border-collapse:collapse;margin:4px 0 12px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td.n,th.n{text-align:right;overflow-wrap:normal;word-break:normal}
col.env{width:18%}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;
 padding:0 3px;border-radius:4px;white-space:pre-wrap;word-break:break-all}
.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700;font-weight:600}.ok{color:#1a7f37}
.chg{color:#0550ae}.muted{color:#656d76}
td.bump{background:#fff8c5}td.new{background:#dafbe1}td.gone{background:#ffebe9}
details{border:1px solid #d0d7de;border-radius:6px;padding:6px 12px;margin:8px 0}
summary{cursor:pointer;font-weight:600}
ul{margin:4px 0;padding-left:20px}
"""


def _status(e: EnvEntry) -> str:
    if e.failed:
        return '<span class="bad">failed</span>'
    if e.destructive_total:
        return f'<span class="warn">destroys {e.destructive_total}</span>'
    return '<span class="chg">changes</span>' if e.has_changes else '<span class="ok">no changes</span>'


def _fact(number: int, label: str, cls: str = "") -> str:
    return f'<div class="fact {cls}"><b>{number}</b>{escape(label)}</div>'


def _overview(report: FleetReport) -> list[str]:
    totals = report.totals()
    out = ["<h2>Environments</h2>", "<table>", '<colgroup><col class="env"><col>'
           + '<col style="width:84px">' * (len(COLUMNS) + 1) + '<col style="width:16%"></colgroup>',
           "<thead><tr><th>environment</th><th>profile</th>"
           + "".join(f'<th class="n">{k}</th>' for k in COLUMNS) + '<th class="n">drift</th><th>status</th>'
           "</tr></thead><tbody>"]
    for e in report.entries:
        drift = max(e.drift_total, e.count("drift"))
        out.append(f"<tr><td><b>{escape(e.title)}</b></td><td>{escape(e.profile or '')}</td>"
                   + "".join(f'<td class="n">{e.count(k)}</td>' for k in COLUMNS)
                   + f'<td class="n">{drift}</td><td>{_status(e)}</td></tr>')
    drift_total = sum(max(e.drift_total, e.count("drift")) for e in report.entries)
    out.append("<tr><th>total</th><th></th>"
               + "".join(f'<th class="n">{totals.get(k, 0)}</th>' for k in COLUMNS)
               + f'<th class="n">{drift_total}</th><th></th></tr></tbody></table>')
    return out


def _chart_cell(release: dict[str, object] | None) -> str:
    if release is None:
        return '<td class="muted">·</td>'
    before, after = release.get("version_before"), release.get("version_after")
    if release.get("action") == "no-op":
        return f"<td>{escape(str(after or ''))}</td>"
    if release.get("action") == "delete" or (before and not after):
        return f'<td class="gone">{escape(str(before or ""))} → removed</td>'
    if after and not before:
        return f'<td class="new">new {escape(str(after))}</td>'
    if before and after and before != after:
        return f'<td class="bump">{escape(str(before))} → <b>{escape(str(after))}</b></td>'
    what = "values" if release.get("values_changed") else str(release.get("action") or "")
    return f"<td>{escape(str(after or before or ''))} <span class=\"muted\">({escape(what)})</span></td>"


def _charts(report: FleetReport) -> list[str]:
    charts = report.chart_names()
    if not charts:
        return ["<h2>Charts</h2>", '<p class="muted">No Helm releases in these summaries.</p>']
    out = ["<h2>Charts</h2>", '<p class="muted">The chart version of each Helm release: before → after where '
           "a change is planned; · = not in this environment's summary.</p>", "<table>",
           '<colgroup><col class="env">' + "<col>" * len(charts) + "</colgroup>",
           "<thead><tr><th>environment</th>" + "".join(f"<th>{escape(c)}</th>" for c in charts)
           + "</tr></thead><tbody>"]
    for e in report.entries:
        by_name = {str(r["name"]): r for r in e.releases}
        out.append(f"<tr><td><b>{escape(e.title)}</b></td>"
                   + "".join(_chart_cell(by_name.get(c)) for c in charts) + "</tr>")
    out.append("</tbody></table>")
    return out


def _destructive(report: FleetReport) -> list[str]:
    if not report.destructive_total:
        return []
    out = [f'<h2 class="warn">Destructive changes ({report.destructive_total})</h2>', "<table>",
           '<colgroup><col class="env"><col><col style="width:90px"><col style="width:24%"></colgroup>',
           "<thead><tr><th>environment</th><th>address</th><th>action</th><th>reason</th></tr></thead><tbody>"]
    for e in report.entries:
        for d in e.destructive:
            out.append(f"<tr><td>{escape(e.title)}</td><td><code>{escape(str(d['address']))}</code></td>"
                       f"<td>{escape(str(d['action']))}</td><td>{escape(str(d['reason'] or ''))}</td></tr>")
        if e.omitted.get("destructive"):
            out.append(f"<tr><td>{escape(e.title)}</td><td colspan=\"3\">… {e.omitted['destructive']} more"
                       "</td></tr>")
    out.append("</tbody></table>")
    return out


def _env_details(e: EnvEntry) -> list[str]:
    out = [f"<details{' open' if e.failed or e.destructive_total else ''}><summary>{escape(e.title)}: "
           f"{escape(counts_phrase(e))}</summary>"]
    facts = [f"source {escape(e.source)}"]
    if e.terraform_version:
        facts.append(f"Terraform {escape(e.terraform_version)}")
    if e.created_at:
        facts.append(f"planned {escape(e.created_at)}")
    out.append(f'<p class="muted">{" · ".join(facts)}</p>')
    if e.failed:
        out.append(f'<p class="bad">{escape(e.error or "the plan failed")}</p>')
    if not e.detailed:
        out.append('<p class="muted">Counts only (from a plan --all --json document).</p>')
    if e.modules:
        out += ["<h3>Changes by module</h3>", "<table><colgroup><col>" + '<col style="width:84px">'
                * (len(COLUMNS) + 1) + "</colgroup><thead><tr><th>module</th>"
                + "".join(f'<th class="n">{k}</th>' for k in COLUMNS)
                + '<th class="n">other</th></tr></thead><tbody>']
        for module, by_action in e.modules.items():
            other = sum(v for k, v in by_action.items() if k not in COLUMNS)
            out.append(f"<tr><td><code>{escape(module)}</code></td>"
                       + "".join(f'<td class="n">{by_action.get(k, 0)}</td>' for k in COLUMNS)
                       + f'<td class="n">{other}</td></tr>')
        out.append("</tbody></table>")
    if e.namespaces:
        out.append("<h3>Namespaces</h3><ul>" + "".join(
            f"<li><code>{escape(str(n['name']))}</code> {escape(str(n['action']))}"
            + (f", {n['label_changes']} label change(s)" if n["label_changes"] else "") + "</li>"
            for n in e.namespaces) + "</ul>")
    if e.drift:
        out.append(f"<h3>Drift ({e.drift_total}, changed outside Terraform)</h3><ul>" + "".join(
            f"<li><code>{escape(str(d['address']))}</code> {escape(str(d['action']))}</li>" for d in e.drift)
            + "</ul>")
    if e.omitted:
        left = ", ".join(f"{n} {k}" for k, n in sorted(e.omitted.items()))
        out.append(f'<p class="muted">Left out: {escape(left)}</p>')
    out.append("</details>")
    return out


def to_html(report: FleetReport, *, title: str = "k8sprov fleet report") -> str:
    n = len(report.entries)
    facts = [_fact(n, " environments"), _fact(len(report.with_changes), " with changes", "chg"),
             _fact(n - len(report.with_changes) - len(report.failed), " without changes", "ok")]
    if report.failed:
        facts.append(_fact(len(report.failed), " failed", "bad"))
    facts.append(_fact(report.destructive_total, " destructive", "warn" if report.destructive_total else ""))
    body = [f"<h1>{escape(title)}</h1>", f'<div class="facts">{"".join(facts)}</div>']
    body += _overview(report) + _charts(report) + _destructive(report)
    body.append("<h2>Pending changes and drift</h2>")
    for e in report.entries:
        body += _env_details(e)
    if report.skipped:
        body.append("<h2>Skipped files</h2><ul>" + "".join(
            f"<li><code>{escape(s.path)}</code>: {escape(s.reason)}</li>" for s in report.skipped) + "</ul>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body><main>\n"
            + "\n".join(body) + "\n</main></body></html>\n")
