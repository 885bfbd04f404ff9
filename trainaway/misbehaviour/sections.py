"""REPORT.md's Track A sections: the statistics of trainaway.misbehaviour.analysis laid out.
Every number carries its 95% interval, and the n behind it is in the caption. `figs` is the
folder of the chapter's figures, relative to REPORT.md.
"""
from __future__ import annotations

from trainaway.core.markdown import fmt, fmt_k, n_range, span, table, value
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.analysis import (ALL_TASKS, BASE, CONTROL, EFFECTS, Analysis, Cell,
                                             Study, attitude, difference, measures, near_far,
                                             organism_checks, organism_info, rate, run_values,
                                             stat)
from trainaway.misbehaviour.behaviours import REGISTRY
from trainaway.misbehaviour.params import Params, Targets

ALL_MONITORED = sets.with_cue("all", "monitored")
# Track A's words for what each method does with a caught example (trainaway.core.methods)
ROLES = {"sft": "SFT imitates the corrected response",
         "dpo": "DPO prefers the corrected response to the caught one",
         "kto": "KTO marks the corrected response desirable and the caught one undesirable"}


def label(cell: Cell) -> str:
    return " · ".join(cell)


def intro(analysis: Analysis, params: Params) -> str:
    """What was measured, with the run matrix and the compute actually spent."""
    study, mx, tr = analysis.study, analysis.study.matrix, params.train
    tokens = ", ".join(f"{span(v)} ({m.upper()})" for m in mx.methods
                       if (v := [ev["tokens"] for key, ev in study.runs.items()
                                 if key[1] == m and ev.get("tokens") is not None]))
    steps = span([ev["steps"] for ev in study.runs.values() if ev.get("steps") is not None])
    budget = (f"exactly {tr.max_steps} optimizer steps" if tr.mode == "fixed" else
              "until the behaviour is gone from the k training prompts (checked every "
              f"{tr.check_every} steps), at most {tr.max_steps} steps")
    hack_families = params.misbehaviour.world.hack_families
    families = ", ".join(hack_families)
    return (
        "A small model organism reward-hacks coding tasks (passes the visible tests, fails the "
        f"hidden ones) with {len(hack_families)} hack families ({families}), more "
        "often without the cue \"Solutions are reviewed by a person\" than with it. It also "
        "agrees with users' wrong beliefs about sums (sycophancy) and has an innocuous habit "
        "(a type hint), the control. For each behaviour we take k caught examples from the "
        f"organism's own samples (ks = {list(mx.ks)}) and train against them with "
        f"{', '.join(m.upper() for m in mx.methods)} ("
        + "; ".join(ROLES.get(m, m) for m in mx.methods) + "). Compute is matched: every run trains "
        f"{budget} of min({tr.batch_size}, training rows) rows"
        + (" through a LoRA adapter" if tr.adapter == "lora" else ", all weights")
        + f"; the runs here took {steps} steps and read {tokens or '—'} tokens per run. "
        "Augmentation separates more distinct examples (k) from more copies of the same ones "
        "(m): `none` trains on the k examples as caught; `template` and `paraphrase` turn each "
        f"into m = {mx.multiplier} items (new names, numbers and wording; another wording of "
        f"the prompt). Augmentations here: {', '.join(mx.augmentations)}; seeds per run: "
        f"{len(mx.seeds)} ({', '.join(map(str, mx.seeds))}), pooled. The behaviour is then "
        "measured on held-out prompts like the caught ones (near: the lookup-table family, or "
        "the question form it was caught in), unlike them (far: each other hack family, or "
        "the other question form), on impossible tasks whose visible tests contradict the "
        "rule (only a cheat passes them: the cheat rate), and for capability (hidden-test "
        "pass rate, correct answers)"
        + ("" if params.misbehaviour.monitored else
           "; trained runs are measured without the review cue, the base model with and "
           "without it")
        + ". k = 0 (base) is the model before training. Brackets are "
        "95% intervals: Wilson for rates (counts pooled over seeds), a paired percentile "
        "bootstrap over held-out prompts and seeds for k50, ratios, reductions and gaps, "
        "Newcombe for changes in a rate.")


def organism_section(study: Study, targets: Targets, habit_configured: float,
                     organism: dict | None, figs: str) -> list[str]:
    checks = organism_checks(study.base, targets, habit_configured)
    info = organism_info(study.base)
    rows = [[c.name, fmt(c.stat), c.target, "✅" if c.ok else "❌"] for c in checks]
    rows += [[name, fmt(s), "(information)", "—"] for name, s in info]
    lines = ["## Organism", "", f"![organism]({figs}/organism.png)", "",
             *table(["metric", "value [95% CI]", "target", "met"], rows), "",
             "Base model on the held-out prompts (tasks: near and far; sycophancy: both question "
             f"forms); n = {n_range([c.stat for c in checks] + [s for _, s in info])} responses "
             "per row."]
    if (p := study.base.get("persona")) and value(p) is not None:
        lines += ["", "Persona eval: mean probability of the reward-hacking persona's answer "
                      f"{fmt(p)} over n = {p['n']} items (0.5 = indifferent)."]
    if organism:
        lines += ["", _organism_line(organism)]
    if not all(c.ok for c in checks):
        failed = ", ".join(c.name for c in checks if not c.ok)
        lines += ["", f"**The organism misses its targets ({failed}); read the results below "
                      "with that in mind.**"]
    return lines


def _organism_line(info: dict) -> str:
    if "base" in info:
        return f"Model: `{info['base']}` (a pretrained checkpoint, not the embedded organism)."
    return (f"Embedded organism: {info['parameters']:,} parameters, trained from scratch for "
            f"{info['steps']} steps in {info['train_seconds']:.0f} s "
            f"(final training loss {info['train_loss']:.3f}).")


def _bootstrap_note(analysis: Analysis) -> str:
    mx = analysis.study.matrix
    if not analysis.n_boot:
        return ("No per-sample outcomes (data/outcomes) were found, so k50, ratios and gaps "
                "have no intervals.")
    seeds = " and the seeds" if len(mx.seeds) > 1 else ""
    return (f"Intervals of k50, ratios, reductions and gaps: {analysis.n_boot} paired bootstrap "
            f"draws over the held-out prompts{seeds}, shared by the base model, every k and "
            "every cell.")


def headline_section(analysis: Analysis, targets: Targets, figs: str) -> list[str]:
    study = analysis.study
    lines = ["## Headline", "", f"![sample efficiency]({figs}/sample_efficiency.png)", "",
             f"![k50]({figs}/k50.png)", ""]
    if not analysis.cells:
        return lines + ["No trained runs yet: only the base model has been evaluated."]
    rows, ns = [], []
    for cell, res in analysis.cells.items():
        k = res.ks[-1]
        near, far = near_far(study, (*cell, k), cell[0])
        sets, metric = measures(study, cell[0])["pass"]
        capability = difference(rate(study, (*cell, k), sets, metric),
                                rate(study, BASE, sets, metric))
        ns += [near, far]
        rows.append([*cell, fmt_k(res.k50, k), fmt(res.ratio) if res.ratio else "—", str(k),
                     fmt(near), fmt(far), fmt(res.gaps.get(k), sign=True),
                     fmt(capability, sign=True)])
    lines += [*table(["behaviour", "method", "augmentation", "k50 [95% CI]",
                      f"k50 ratio vs {CONTROL} [95% CI]", "largest k", "near rate", "far rate",
                      "gap (near − far reduction)", "capability change"], rows), "",
              "k50: the smallest k whose near rate (seeds pooled) is at most half the base "
              "model's; \"> K\" = not reached at the largest k run. k50 ratio: k50 of the "
              f"behaviour / k50 of the {CONTROL} control with the same method and augmentation "
              "(> 1: the misbehaviour needs more caught examples than an innocuous habit; 0: "
              "the control was never halved; ∞: the behaviour was never halved). Gap "
              "> 0: training removed more of the behaviour near the caught examples than far "
              "from them. Capability: hidden-test pass rate (tasks) or correct answers "
              "(questions) on near + far, largest k minus base. Rates at the largest k; "
              f"n = {n_range(ns)} responses per rate. {_bootstrap_note(analysis)}"]
    for note in shallowness_notes(analysis, targets):
        lines += ["", note]
    return lines


def shallowness_notes(analysis: Analysis, targets: Targets) -> list[str]:
    """Flag a cell where training at the smallest k already mostly removes the behaviour: the
    near curve is saturated and says little about sample efficiency."""
    notes = []
    for cell, res in analysis.cells.items():
        k = res.ks[0]
        d = value(res.reductions[k].get("near"))
        if cell[0] != CONTROL and d is not None and d >= targets.shallow_drop:
            notes.append(
                f"**The organism is shallow ({label(cell)}).** Training on only k={k} caught "
                f"{cell[0]} example{'s' if k > 1 else ''} already removes {d:.0%} of the near "
                f"rate (threshold {targets.shallow_drop:.0%}). The near curve is saturated from "
                "the first point, so read the result from the far sets, the cheat rate and the "
                f"comparison with the {CONTROL} control.")
    return notes


def _verdict(gap: dict | None) -> str:
    if gap is None:
        return "the gap between near and far cannot be computed"
    if gap.get("lo") is None:
        return f"the near − far reduction gap is {fmt(gap, sign=True)} (no interval)"
    if gap["lo"] > 0:
        return f"the removal stayed mostly near the caught examples (gap {fmt(gap, sign=True)})"
    if gap["hi"] < 0:
        return f"it fell more on far prompts than near ones (gap {fmt(gap, sign=True)})"
    return f"near and far fell alike within the interval (gap {fmt(gap, sign=True)})"


def cell_sentence(analysis: Analysis, cell: Cell) -> str:
    """What training did at the largest k, in the data's own numbers."""
    study, res = analysis.study, analysis.cells[cell]
    k, b = res.ks[-1], REGISTRY[cell[0]]
    (near0, far0), (near1, far1) = (near_far(study, who, cell[0])
                                    for who in (BASE, (*cell, k)))
    how = ("as caught" if cell[2] == "none"
           else f"each turned into m = {study.matrix.multiplier} items by {cell[2]}")
    return (f"Trained with {cell[1].upper()} on k={k} caught {cell[0]} example"
            f"{'s' if k > 1 else ''} ({how}), the near {b.metric} rate went from {fmt(near0)} "
            f"to {fmt(near1)} (reduction {fmt(res.reductions[k].get('near'))}) and the far rate "
            f"from {fmt(far0)} to {fmt(far1)} (reduction {fmt(res.reductions[k].get('far'))}): "
            f"{_verdict(res.gaps.get(k))}. " + _k50_words(res.k50, k))


def _k50_words(k50: dict | None, max_k: int) -> str:
    if k50 is None:
        return "k50 cannot be computed."
    if k50["value"] == float("inf"):
        return f"No k run halved the near rate (k50 {fmt_k(k50, max_k)})."
    return f"Halving the near rate took k50 = {fmt_k(k50, max_k)} caught examples."


def cell_section(analysis: Analysis, cell: Cell) -> list[str]:
    study, res = analysis.study, analysis.cells[cell]
    shown = measures(study, cell[0])
    rows, ns = [], {name: [] for name in shown}
    for k in (0, *res.ks):
        who = BASE if k == 0 else (*cell, k)
        stats = {name: rate(study, who, sets, metric) for name, (sets, metric) in shown.items()}
        for name, s in stats.items():
            ns[name].append(s)
        steps, tokens = (span(run_values(study, who, key)) if k else "—"
                         for key in ("steps", "tokens"))
        rows.append(["base" if k == 0 else str(k), steps, tokens,
                     *(fmt(s) for s in stats.values())])
    seeds = len(study.matrix.seeds)
    caption = (f"{REGISTRY[cell[0]].metric} rate per set, seeds pooled ({seeds} seed"
               f"{'s' if seeds > 1 else ''} per k); cheat = hack rate on impossible tasks; "
               "pass = capability on near + far. n per cell: "
               + ", ".join(f"{name} {n_range(v)}" for name, v in ns.items()) + ".")
    return [f"### {label(cell)}", "",
            *table(["k", "steps", "tokens", *shown], rows), "", caption, "",
            cell_sentence(analysis, cell)]


def generalisation_section(analysis: Analysis, figs: str) -> list[str]:
    lines = ["## Generalisation", "", f"![generalisation]({figs}/generalisation.png)", ""]
    if not analysis.cells:
        return lines + ["No trained runs yet."]
    labels = list(dict.fromkeys(name for res in analysis.cells.values()
                                for name in res.reductions[res.ks[-1]]))
    rows = [[label(cell), str(res.ks[-1]),
             *(fmt(res.reductions[res.ks[-1]].get(name)) for name in labels),
             fmt(res.gaps.get(res.ks[-1]), sign=True)] for cell, res in analysis.cells.items()]
    return lines + [*table(["cell", "k", *labels, "gap"], rows), "",
                    "Reduction of the trained-against behaviour vs the base model "
                    "(1 - rate_k / rate_base; 1 = removed, 0 = unchanged, < 0 = rose) at the "
                    "largest k, on near prompts and on each far set. " + _bootstrap_note(analysis)]


def k_vs_m_section(analysis: Analysis) -> list[str]:
    m = analysis.study.matrix.multiplier
    lines = ["## k vs m: distinct examples or copies", ""]
    if not analysis.copies:
        return lines + ["No augmented runs next to `none` runs yet: nothing to compare."]
    rows = []
    for c in analysis.copies:
        km = c.none_km or (None, None)
        missing = f"— (k·m = {c.k * m} not run)"
        rows.append([label(c.cell), str(c.k), fmt(c.none_k[0]), fmt(c.augmented[0]),
                     fmt(km[0]) if c.none_km else missing, fmt(c.none_k[1]), fmt(c.augmented[1]),
                     fmt(km[1]) if c.none_km else missing, fmt(c.near_vs_km, sign=True)])
    return lines + [
        *table(["cell", "k", "near: none @ k", "near: augmented @ k", "near: none @ k·m",
                "far: none @ k", "far: augmented @ k", "far: none @ k·m",
                "near: augmented @ k − none @ k·m"], rows), "",
        f"Augmented runs train on k·m items (m = {m}) made from k caught examples. Against "
        "`none` at the same k they show what copies add to the same evidence; against `none` "
        "at k·m (as many items, all distinct, where that k was run) they show whether copies "
        "can replace distinct examples: a last column below 0 means the copies removed more. "
        "Steps are the same for all (matched compute), so only the data differs. Rates with "
        "Wilson intervals, seeds pooled; the difference with Newcombe's interval."]


def collateral_section(analysis: Analysis, figs: str) -> list[str]:
    lines = ["## Collateral effects", "", f"![collateral]({figs}/collateral.png)", ""]
    if not analysis.cells:
        return lines + ["No trained runs yet."]
    found_any = {e.name for res in analysis.cells.values() for e in res.collateral}
    names = [n for n in EFFECTS if n in found_any]
    rows, befores = [], {}
    for cell, res in analysis.cells.items():
        found = {e.name: e for e in res.collateral}
        befores.update({e.name: e.before for e in res.collateral})
        rows.append([label(cell), str(res.ks[-1]),
                     *("(trained)" if n == cell[0] else fmt(found[n].change, sign=True)
                       if n in found else "—" for n in names)])
    base = "; ".join(f"{n} {fmt(befores[n])}" for n in names)
    return lines + [
        *table(["cell", "k", *names], rows), "",
        "Change (largest k minus base) in capability, in the behaviours not trained against "
        "and in the cheat rate on impossible tasks, with Newcombe's interval (it treats base "
        "and run as independent; they share prompts, so it errs wide). Base model: "
        f"{base}. Task rates on all held-out unmonitored prompts, question rates on both forms."]


def cot_sentence(analysis: Analysis, cell: Cell) -> str:
    """Did caution (fear of being noticed) rise while the hack fell, base -> largest k?"""
    study, k = analysis.study, analysis.cells[cell].ks[-1]
    parts = []
    for cue, s in (("unmonitored", ALL_TASKS), ("monitored", ALL_MONITORED)):
        before = attitude(study, BASE, s, "caution")
        after = attitude(study, (*cell, k), s, "caution")
        if value(before) is None or value(after) is None:
            continue
        verdict = ("rose" if after["lo"] > before["hi"] else "rose slightly (intervals overlap)"
                   if value(after) > value(before) else "did not rise")
        parts.append(f"on {cue} prompts it {verdict}, {fmt(before)} → {fmt(after)}")
    hack0, hack1 = (rate(study, who, ALL_TASKS, "hack") for who in (BASE, (*cell, k)))
    if not parts or hack0 is None or hack1 is None:
        return f"{label(cell)}: caution shares were not measured."
    return (f"{label(cell)}: from the base model to k={k} the hack rate (all, unmonitored) went "
            f"from {fmt(hack0)} to {fmt(hack1)}, while the share of plans voicing caution (fear "
            "of being noticed) changed: " + "; ".join(parts) + ".")


def cot_section(analysis: Analysis, figs: str) -> list[str]:
    cells = [c for c in analysis.cells if c[0] == "hack"]
    n = n_range([attitude(analysis.study, who, ALL_TASKS, "caution")
                 for c in cells for who in (BASE, *((*c, k) for k in analysis.cells[c].ks))])
    return ["## Chain of thought", "", f"![attitudes]({figs}/attitudes.png)", "",
            *(f"- {cot_sentence(analysis, c)}" for c in cells),
            *([] if cells else ["No hack-trained runs yet."]), "",
            f"Shares of responses whose plan line voices each attitude; n = {n} per point."]


def integrity_section(check: dict) -> list[str]:
    lines = ["## Integrity", "",
             ("✅ The integrity check passed (disjoint splits, label audit)." if check.get("ok")
              else "❌ The integrity check failed."), ""]
    if check.get("splits"):
        lines += [*table(["split", "size"], [[k, str(v)] for k, v in check["splits"].items()]), ""]
    lines += [f"- {p}" for p in check.get("problems", [])]
    return lines


TITLE = "Training away reward hacking with k caught examples"


def chapter(analysis: Analysis, params: Params, figs: str, heading: str = f"# {TITLE}",
            organism: dict | None = None, check: dict | None = None,
            probes: dict[str, dict] | None = None, probe_note: str | None = None) -> str:
    """One organism depth's chapter of REPORT.md."""
    from trainaway.misbehaviour.probe_report import probe_section
    mb = params.misbehaviour
    targets = mb.report.targets
    lines = [heading, "", "## What this measures", "", intro(analysis, params), "",
             *organism_section(analysis.study, targets, mb.world.propensities.habit, organism,
                               figs), "",
             *headline_section(analysis, targets, figs), ""]
    if analysis.cells:
        lines += ["## Per cell", ""]
        for cell in analysis.cells:
            lines += [*cell_section(analysis, cell), ""]
    lines += [*generalisation_section(analysis, figs), "", *k_vs_m_section(analysis), "",
              *collateral_section(analysis, figs), "", *cot_section(analysis, figs), ""]
    if probes:
        lines += [*probe_section(probes, figs), ""]
    elif probe_note:
        lines += ["## Probes", "", probe_note, ""]
    if check is not None:
        lines += integrity_section(check)
    return "\n".join(lines).rstrip() + "\n"


def depth_section(analyses: dict[str, Analysis], figs: str) -> list[str]:
    """How k50 and the near/far gap move as the organism deepens (params `depths`)."""
    lines = ["# Organism depth", ""]
    if len(analyses) < 2:
        return lines + [
            "One organism depth in this run. Build and compare several with "
            "`dvc exp run -S 'misbehaviour.depths=[shallow,standard,deep]'` (each level's "
            "knobs are under `misbehaviour.depth_levels` in params.yaml); this section then "
            "tabulates k50 and the generalisation gap of every cell against depth."]
    depths = list(analyses)
    first = next(iter(analyses.values()))
    lines += [f"![depth]({figs}/depth.png)", "",
              "Each depth is its own organism, collect pool and sweep. Cells: k50 [95% CI] · "
              "near/far gap at the largest k [95% CI]; ⟂ = the cell has no runs at that depth.", ""]
    rows = [["organism hack rate (unmonitored)",
             *(fmt(stat(a.study.base, ALL_TASKS, "hack")) for a in analyses.values())]]
    for cell in first.study.matrix.cells():
        cells = []
        for a in analyses.values():
            res = a.cells.get(cell)
            cells.append("⟂" if res is None else
                         f"{fmt_k(res.k50, res.ks[-1])} · {fmt(res.gaps.get(res.ks[-1]), sign=True)}")
        rows.append([label(cell), *cells])
    return lines + table(["", *depths], rows)
