"""The report stage's frame: every track contributes a `Part` (its Markdown and its flat
metrics), written into one reports/REPORT.md and one reports/metrics.json (the file
`dvc metrics diff` compares). Tracks write their own figures and CSVs under the report folder.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trainaway.core.io import write_json


@dataclass(frozen=True)
class Part:
    markdown: str
    metrics: dict


def write_report(parts: list[Part], out: str | Path) -> Path:
    out = Path(out)
    metrics = {}
    for part in parts:
        clash = sorted(set(metrics) & set(part.metrics))
        if clash:
            raise ValueError(f"two report parts write the same metric keys, e.g. {clash[:3]}")
        metrics.update(part.metrics)
    write_json(out / "metrics.json", metrics, indent=2)
    report = out / "REPORT.md"
    report.write_text("\n".join(p.markdown.rstrip() + "\n" for p in parts))
    return report
