"""JUnit XML for CI test reporters: one testcase per configuration of a `Comparison`.

A configuration fails when it falls in a gating category (worse metrics, new failure, and, when
gated, missing / not comparable / slower); a non-gating `missing` or `not comparable` is a
skipped testcase with its reason. Renders only; computes nothing.

ElementTree escapes `<`, `&` and quotes; characters XML 1.0 cannot hold at all (terminal escape
codes, NUL, ...) may still come from data or error messages and are written as `\\xNN` text, so
the report always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 forbids written as visible `\\xNN` escapes."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _sanitize(root: ET.Element) -> None:
    for el in root.iter():
        if el.text:
            el.text = xml_safe(el.text)
        for key, value in el.attrib.items():
            el.set(key, xml_safe(value))


def _failures(cmp, config: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Gating reasons of one configuration."""
    return [f"{gate}: {text}" for gate in cmp.fail_on
            for cid, text in cmp.gates.get(gate, []) if cid == config]


def comparison_junit(cmp) -> str:  # type: ignore[no-untyped-def]
    configs = cmp.configs
    suites = ET.Element("testsuites", name="bench compare")
    suite = ET.SubElement(suites, "testsuite", name="bench compare",
                          tests=str(len(configs)))
    n_fail = n_skip = 0
    by_config = {c: g for c, g in cmp.metrics.groupby("config")} if not cmp.metrics.empty else {}
    for _, r in configs.iterrows():
        case = ET.SubElement(suite, "testcase", classname=f"bench.compare.{r['dataset']}",
                             name=r["label"])
        failures = _failures(cmp, r["config"])
        if failures:
            n_fail += 1
            el = ET.SubElement(case, "failure", type=r["mark"], message="; ".join(failures))
            el.text = "\n".join(failures)
        elif r["mark"] in ("missing", "not comparable"):
            n_skip += 1
            ET.SubElement(case, "skipped", message=f"{r['mark']}: {r['note']}")
        lines = [f"mark: {r['mark']}"]
        if r["note"]:
            lines.append(f"note: {r['note']}")
        if r["versions"]:
            lines.append(f"versions: {r['versions']}")
        metric_rows = by_config.get(r["config"])
        for _, m in metric_rows.iterrows() if metric_rows is not None else []:
            lines.append(f"{m['metric']}: {m['baseline']:.6g} -> {m['current']:.6g} "
                         f"(delta {m['delta']:+.6g}, {m['n_pairs']} pairs, {m['test']}, "
                         f"{m['mark']})")
        lines.append(f"fit ratio {r['fit_ratio']:.3g}, predict ratio {r['predict_ratio']:.3g}")
        ET.SubElement(case, "system-out").text = "\n".join(lines)
    suite.set("failures", str(n_fail))
    suite.set("errors", "0")
    suite.set("skipped", str(n_skip))
    suites.set("tests", str(len(configs)))
    suites.set("failures", str(n_fail))
    _sanitize(suites)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(cmp, path: str | Path) -> None:  # type: ignore[no-untyped-def]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(comparison_junit(cmp), encoding="utf-8")
