"""Track A's part of the report: per organism depth, the analysis of its evals and outcomes,
its flat metrics, CSVs, figures and chapter; then the comparison across depths.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from trainaway.core.io import DataError, read_json
from trainaway.core.report import Part
from trainaway.misbehaviour import layout as paths
from trainaway.misbehaviour.analysis import (Analysis, Matrix, Study, analyse, load_study,
                                             organism_checks, organism_info)
from trainaway.misbehaviour.layout import Layout, cell_name, run_name
from trainaway.misbehaviour.metrics import (flat_metrics, probe_metrics, training_curves,
                                            write_csvs, write_csv)
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


def missing_runs(study: Study, evals: Path) -> list[str]:
    """Runs of the matrix without an eval: the report never drops one silently."""
    mx = study.matrix
    return [str(evals / cell_name(b, m) / f"{run_name(a, k, s)}.json")
            for b, m, a in mx.cells() for k in mx.ks for s in mx.seeds
            if (b, m, a, k, s) not in study.runs]


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
        if missing := missing_runs(study, where.evals):
            raise DataError(f"{len(missing)} run(s) of the matrix have no eval, e.g. "
                            f"{', '.join(missing[:3])}: run the sweep stages first "
                            "(dvc repro) or shrink misbehaviour.ks / .seeds / ...")
        analysis: Analysis = analyse(study, n_boot, params.seed)
        analyses[depth] = analysis
        probes, probe_note = load_probe_results(where.probes)
        metrics.update({f"{depth}.{k}": v for k, v in
                        {**flat_metrics(analysis, targets, habit),
                         **probe_metrics(probes)}.items()})
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
    write_csv(out / paths.plots() / "training_curves.csv", *training_curves(analyses))
    if len(analyses) > 1:
        depth_figure(analyses, out / paths.figures() / "depth.png")
    markdown = "\n".join([*chapters, *depth_section(analyses, paths.figures().as_posix())])
    return Part(markdown.rstrip() + "\n", metrics)
