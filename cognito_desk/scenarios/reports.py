"""Reports of runs: JUnit XML for CI dashboards, one self-contained HTML page, and JSON.

Owns :func:`junit_xml` (one ``testsuite`` of one ``testcase`` per scenario, in the structure Jenkins'
JUnit schema describes: a failed expectation is a ``failure`` whose ``type`` is the expectation's key and
whose message names it with the step, the AWS error and the explanation; durations per step go to
``system-out``), :func:`html_report` (every run — outcome, identity, expected and actual role, expiry,
step durations, claims, failures — in one HTML file with its style inline: no scripts, fonts or images
from anywhere) and :func:`json_report` (the records as a JSON array). Runs are :class:`~.record.RunRecord`,
so the history panel exports with the same functions.
"""

from __future__ import annotations

import html
import json
import socket
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from .expectations import failure_summary
from .record import RunRecord
from .runner import ScenarioOutcome

__all__ = ["html_report", "json_report", "junit_xml"]


def _iso(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if epoch else ""


def _steps_text(record: RunRecord) -> str:
    return "\n".join(f"{step}: {ms:.0f} ms" for step, ms in record.step_durations.items())


def junit_xml(outcomes: Sequence[ScenarioOutcome], *, suite: str = "cognito-desk scenarios") -> bytes:
    failures = sum(1 for o in outcomes if not o.passed)
    total = sum(o.record.duration_ms for o in outcomes) / 1000
    root = etree.Element("testsuites", name=suite, tests=str(len(outcomes)), failures=str(failures), errors="0",
                         time=f"{total:.3f}")
    started = min((o.record.started_at for o in outcomes), default=time.time())
    testsuite = etree.SubElement(root, "testsuite", name=suite, tests=str(len(outcomes)), failures=str(failures),
                                 errors="0", skipped="0", time=f"{total:.3f}", timestamp=_iso(started),
                                 hostname=socket.gethostname())
    for outcome in outcomes:
        record, scenario = outcome.record, outcome.scenario
        classname = "scenarios." + (scenario.path.stem if scenario.path else "scenario")
        case = etree.SubElement(testsuite, "testcase", name=scenario.label, classname=classname,
                                time=f"{record.duration_ms / 1000:.3f}")
        for text in outcome.failures:
            key = text.split(":", 1)[0]
            failure = etree.SubElement(case, "failure", type=key, message=text)
            failure.text = "\n".join(filter(None, [text, failure_summary(record) if key != "outcome" else ""]))
        out = [f"pool {record.pool_id}, provider {record.provider} ({record.provider_kind}), "
               f"persona {record.persona or '-'}, flow {record.flow}",
               f"outcome {record.outcome}; identity {record.identity_id or '-'}; role {record.assumed_role or '-'}",
               _steps_text(record)]
        etree.SubElement(case, "system-out").text = "\n".join(filter(None, out))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def json_report(records: Sequence[RunRecord]) -> str:
    return json.dumps([{"id": r.id, **json.loads(r.to_json())} for r in records], indent=2, sort_keys=True) + "\n"


_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2733;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin:0 0 6px}
.run{border:1px solid #c9d3df;border-radius:6px;padding:12px 16px;margin:0 0 14px}
.pass{border-left:6px solid #2e8b57}.fail{border-left:6px solid #c0392b}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;margin-left:6px}
.pass .badge{background:#2e8b57}.fail .badge{background:#c0392b}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #dde3ea;padding:3px 8px;text-align:left;
vertical-align:top}th{background:#f2f5f9;font-weight:600}code{font:12px monospace}
ul.failures{color:#a02a1e;margin:6px 0}
"""


def _row(label: str, value: object) -> str:
    return f"<tr><th>{html.escape(label)}</th><td>{html.escape(str(value))}</td></tr>" if value not in ("", None) \
        else ""


def _run_html(record: RunRecord) -> str:
    passed = record.passed
    title = record.source if record.source != "tester" else f"{record.provider} — {record.persona or 'private'}"
    rows = "".join([
        _row("Started", _iso(record.started_at)), _row("Connection", record.connection), _row("Pool", record.pool_id),
        _row("Provider", f"{record.provider} ({record.provider_kind})"), _row("Persona", record.persona),
        _row("Flow", record.flow), _row("Outcome", record.outcome), _row("Identity", record.identity_id),
        _row("Returning identity", {True: "yes", False: "no (new)"}.get(record.returning, "")),
        _row("Assumed role", record.assumed_role), _row("Expected role", record.expected_role),
        _row("Credentials expire", _iso(record.credentials_expire_at)),
        _row("Duration", f"{record.duration_ms / 1000:.2f} s"),
        _row("Failed step", record.failed_step), _row("Error", f"{record.error_code}: {record.error_message}"
                                                      if record.error_code else ""),
        _row("Explanation", " ".join(filter(None, (record.explanation.get("title"), record.explanation.get("cause"),
                                                   record.explanation.get("fix"))))),
    ])
    steps = "".join(f"<tr><td>{html.escape(step)}</td><td>{ms:.0f} ms</td></tr>"
                    for step, ms in record.step_durations.items())
    claims = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td><code>{html.escape(json.dumps(v))}</code></td>"
                     "</tr>" for k, v in sorted(record.claims.items()))
    failures = "".join(f"<li>{html.escape(text)}</li>" for text in record.expectation_failures)
    return (f'<section class="run {"pass" if passed else "fail"}" id="run-{record.id or ""}">'
            f'<h2>{html.escape(title)} <span class="badge">{"passed" if passed else "failed"}</span></h2>'
            + (f'<ul class="failures">{failures}</ul>' if failures else "")
            + f"<table>{rows}</table>"
            + (f"<table><tr><th>Step</th><th>Duration</th></tr>{steps}</table>" if steps else "")
            + (f"<table><tr><th>Claim</th><th>Value</th></tr>{claims}</table>" if claims else "")
            + "</section>")


def html_report(records: Sequence[RunRecord], *, title: str = "cognito-desk runs") -> str:
    passed = sum(1 for r in records if r.passed)
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{len(records)} run{'s' if len(records) != 1 else ''}: {passed} passed, "
            f"{len(records) - passed} failed — generated {_iso(time.time())}</p>"
            + "".join(_run_html(r) for r in records) + "</body></html>\n")
