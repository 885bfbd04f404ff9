"""Track A's part of the report: per organism depth, the analysis of its evals and outcomes,
its flat metrics, CSVs, figures and chapter; then the comparison across depths.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from trainaway.core.io import read_json
from trainaway.core.report import Part
from trainaway.misbehaviour import layout as paths
from trainaway.misbehaviour.analysis import Analysis, Matrix, analyse, load_study, \
    organism_checks, organism_info
from trainaway.misbehaviour.layout import Layout
from trainaway.misbehaviour.metrics import flat_metrics, probe_metrics, write_csvs
from trainaway.misbehaviour.params import Params
from trainaway.misbehaviour.probes import SKIPPED
from trainaway.misbehaviour.sections import TITLE, chapter, depth_section

N_BOOT = 1000  # bootstrap draws: percentile intervals stable to about a point


def _optional_json(path: Path) -> dict | None:
    return read_json(path) if path.is_file() else None


def load_probe_results(directory: Path) -> tuple[dict[str, dict], str | None]:
    """(probe results by run, the note the probe stage left when it skipped); a missing or
    empty probes directory gives neither."""
    from trainaway.misbehaviour.probe_report import load_probes
    if not directory.is_dir():
        return {}, None
    skipped = directory / SKIPPED
    note = skipped.read_text().strip() if skipped.is_file() else None
    return (load_probes(directory) if any(directory.glob("*.json")) else {}), note


def build(params: Params, out: str | Path, root: str | Path = ".", n_boot: int = N_BOOT) -> Part:
    """Write figures/misbehaviour/{depth}/*.png and plots/misbehaviour/{depth}/*.csv under
    `out`; return the chapters and metrics. Runs outside the params' matrix are ignored;
    without outcomes the derived numbers have no intervals."""
    from trainaway.misbehaviour.figures import depth_figure, write_figures  # matplotlib
    from trainaway.misbehaviour.probe_report import probe_figure

    mb, out = params.misbehaviour, Path(out)
    for stale in (paths.figures(), paths.plots()):  # a smaller sweep leaves no old depths
        shutil.rmtree(out / stale, ignore_errors=True)
    targets, habit = mb.report.targets, mb.world.propensities.habit
    metrics, chapters, analyses = {}, [], {}
    for depth in mb.depths:
        where = Layout(depth, Path(root))
        study = load_study(where.evals, Matrix.from_params(params), where.outcomes)
        analysis: Analysis = analyse(study, n_boot, params.seed)
        analyses[depth] = analysis
        probes, probe_note = load_probe_results(where.probes)
        metrics.update({f"{depth}.{k}": v for k, v in
                        {**flat_metrics(analysis), **probe_metrics(probes)}.items()})
        write_csvs(analysis, out / paths.plots(depth))
        figures = out / paths.figures(depth)
        write_figures(analysis, organism_checks(study.base, targets, habit),
                      organism_info(study.base), targets, habit, figures)
        if probes:
            probe_figure(probes, figures / "probes.png")
        heading = (f"# Depth `{depth}`: {TITLE[0].lower()}{TITLE[1:]}" if len(mb.depths) > 1
                   else f"# {TITLE}")
        chapters.append(chapter(analysis, params, paths.figures(depth).as_posix(), heading,
                                _optional_json(where.evals / "organism.json"),
                                _optional_json(where.evals / "check.json"), probes, probe_note))
    if len(analyses) > 1:
        depth_figure(analyses, out / paths.figures() / "depth.png")
    markdown = "\n".join([*chapters, *depth_section(analyses, paths.figures().as_posix())])
    return Part(markdown.rstrip() + "\n", metrics)
