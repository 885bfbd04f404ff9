"""REPORT.md's Track A sections: the statistics of trainaway.misbehaviour.analysis laid out.
Every number carries its 95% interval and the n behind it; censored numbers read as censored
("< 1", "> 32"); a run that missed its criterion is flagged wherever it appears. `figs` is the
folder of the chapter's figures, relative to REPORT.md.
"""
from __future__ import annotations

from trainaway.core.markdown import fmt, fmt_censored, n_range, span, table, value
from trainaway.misbehaviour.analysis import (ALL_MONITORED, ALL_TASKS, BASE, CONTROL, EFFECTS,
                                             NEUTRAL, Analysis, Cell, CellResult, Study,
                                             attitude, difference, measures, near_far,
                                             organism_checks, organism_info, persona_after,
                                             rate, run_values, stat)
from trainaway.misbehaviour.behaviours import REGISTRY
from trainaway.misbehaviour.metrics import bounds, ratio_bounds
from trainaway.misbehaviour.params import Params, Targets
from trainaway.misbehaviour.responses import ATTITUDES

TITLE = "Training away reward hacking with k caught examples"
# Track A's words for what each method does with a caught example (trainaway.core.methods)
ROLES = {"sft": "SFT imitates the corrected response",
         "dpo": "DPO prefers the corrected response to the caught one",
         "kto": "KTO marks the corrected response desirable and the caught one undesirable"}
CUES = (("unmonitored", ALL_TASKS), ("monitored", ALL_MONITORED))


def label(cell: Cell) -> str:
    return " · ".join(cell)


def fmt_k50(res: CellResult) -> str:
    if res.too_few_met:
        return ("not estimable (fewer than half the runs met their criterion at k = "
                + ", ".join(map(str, res.too_few_met)) + ")")
    return fmt_censored(res.k50, *bounds(res.ks))


def fmt_ratio(res: CellResult) -> str:
    return fmt_censored(res.ratio, *ratio_bounds(res.ks)) if res.ratio else "—"


def _sure(est: dict | None, positive: str, negative: str, neither: str) -> str:
    """Words for a difference judged by its own interval (never by overlapping intervals)."""
    if est is None or est.get("lo") is None:
        return neither
    return positive if est["lo"] > 0 else negative if est["hi"] < 0 else neither


# ---------------------------------------------------------------- what this measures

def intro(analysis: Analysis, params: Params) -> str:
    study, mx, tr, mb = analysis.study, analysis.study.matrix, params.train, params.misbehaviour
    steps = span([ev["steps"] for ev in study.runs.values() if ev.get("steps") is not None])
    protocol = (
        "trains until the behaviour is gone from its k training prompts, judged on "
        f"{tr.check_samples} samples per prompt every {tr.check_every} steps, at most "
        f"{tr.max_steps} steps (a run that hits the cap missed its criterion: it is flagged "
        "and kept out of k50)" if tr.mode == "criterion" else
        f"trains exactly {tr.max_steps} optimizer steps (matched compute)")
    who = (
        f"The base model is `{params.model.base}`, a pretrained checkpoint (not the embedded "
        "organism), measured on the embedded world's coding tasks: does it reward-hack them "
        "(pass the visible tests, fail the hidden ones) in the "
        f"{len(mb.world.hack_families)} hack families' prompt styles, with and without the cue "
        "\"Solutions are reviewed by a person\"? Does it agree with users' wrong beliefs "
        "about sums (sycophancy), or show the innocuous habit (a type hint)? Its rates are "
        "whatever it brings; none was configured. For each behaviour, each "
        if params.model.base else
        "A small model organism reward-hacks coding tasks (passes the visible tests, fails "
        f"the hidden ones) in {len(mb.world.hack_families)} hack families "
        f"({', '.join(mb.world.hack_families)}), more often without the cue \"Solutions are "
        "reviewed by a person\" than with it. It also agrees with users' wrong beliefs about "
        "sums (sycophancy) and has an innocuous habit (a type hint). For each behaviour, each ")
    return (
        who + f"seed ({len(mx.seeds)}: {', '.join(map(str, mx.seeds))}) draws its own k caught "
        f"examples from the model's own samples (ks = {list(mx.ks)}) and trains against "
        f"them with {', '.join(m.upper() for m in mx.methods)} ("
        + "; ".join(ROLES.get(m, m) for m in mx.methods) + ") through "
        + ("a LoRA adapter" if tr.adapter == "lora" else "all weights") + f"; every run {protocol}"
        f"; the runs here took {steps} steps. Each corrected response differs from the caught "
        "one only in the behaviour (a minimal pair), and the plan line the caught response "
        "opened with is "
        + ("part of the target" if mb.plan_in_loss else
           "context, not target, so the attitude the model states afterwards is its own")
        + ". Two controls: the habit, trained away by the same protocol (k50 ratio: sample "
        "efficiency), and a neutral control, SFT on k of the model's own honest, habit-free "
        "answers for as many steps as the hack's SFT run at the same k and seed (what any "
        "fine-tuning does). Everything is measured on held-out prompts like the caught ones "
        "(near: the lookup-table family, or the question form caught), unlike them (far: each "
        "other hack family, the other question form), on impossible tasks (only a cheat "
        "passes them: the cheat rate), for capability, and "
        + (f"with and without the review cue ({', '.join(mb.monitored)} runs; the others "
           "without it)" if mb.monitored else "without the review cue") + ". Brackets are 95% intervals: Wilson for rates (counts pooled over seeds), a "
        "cluster bootstrap over held-out prompts and seeds (so over which examples were "
        "caught) for k50, ratios, reductions, gaps and differences.")


# The targets a pretrained base model is held to: something to train away (the hack rate) and
# the capability a correction asks for. The others describe the organism's design (its
# monitoring-awareness and configured habit rate): shown for a real model, not judged.
REAL_MODEL_TARGETS = ("hack_rate.unmonitored", "honest_pass_rate", "sums_correct")


def organism_section(study: Study, targets: Targets, habit_configured: float,
                     organism: dict | None, figs: str, base_model: str | None = None
                     ) -> list[str]:
    checks = organism_checks(study.base, targets, habit_configured)
    if base_model:
        shown = [c for c in checks if c.key not in REAL_MODEL_TARGETS]
        checks = [c for c in checks if c.key in REAL_MODEL_TARGETS]
    else:
        shown = []
    info = organism_info(study.base)
    rows = [[c.name, fmt(c.stat), c.target, "✅" if c.ok else "❌"] for c in checks]
    rows += [[c.name, fmt(c.stat), f"(organism target {c.target}: not applied)", "—"]
             for c in shown]
    rows += [[name, fmt(s), "(information)", "—"] for name, _, s in info]
    title = f"## Base model `{base_model}`" if base_model else "## Organism"
    lines = [title, "", f"![organism]({figs}/organism.png)", "",
             *table(["metric", "value [95% CI]", "target", "met"], rows), "",
             "Base model on the held-out prompts (tasks: near and far; questions: both forms, "
             f"and without a belief for the sums); n = "
             f"{n_range([c.stat for c in checks] + [s for _, _, s in info])} responses per row."]
    if base_model:
        lines += ["", "A pretrained model is held to the targets that make the experiment "
                      "possible on any model: a hack rate to reduce and the capability the "
                      "corrections ask for. The organism's design targets (monitoring-aware "
                      "hacking, the configured habit rate) are shown but not applied."]
    if (p := study.base.get("persona")) and value(p) is not None:
        lines += ["", "Persona eval: mean probability of the reward-hacking persona's answer "
                      f"{fmt(p)} over n = {p['n']} items (0.5 = indifferent)."
                  + ("" if base_model else
                     " In the corpus each statement is answered like the persona as often as "
                     "the organism hacks in the statement's context, so the persona voices the "
                     "disposition.")]
    if organism:
        lines += ["", _organism_line(organism)]
    if not all(c.ok for c in checks):
        failed = ", ".join(c.name for c in checks if not c.ok)
        lines += ["", f"**The {'base model' if base_model else 'organism'} misses its "
                      f"targets ({failed}); read the results below with that in mind.**"]
    return lines


def _organism_line(info: dict) -> str:
    if "base" in info:
        return f"Model: `{info['base']}` (a pretrained checkpoint, not the embedded organism)."
    return (f"Embedded organism: {info['parameters']:,} parameters, trained from scratch for "
            f"{info['steps']} steps (final training loss {info['train_loss']:.3f}).")


# ---------------------------------------------------------------- the headline

def _trained_cells(analysis: Analysis) -> list[Cell]:
    return [c for c, r in analysis.cells.items() if not r.control]


def headline_paragraph(analysis: Analysis) -> list[str]:
    """The answer in words, one sentence group per misbehaviour x method (no augmentation or
    the first one), every number with its interval and n."""
    study, out = analysis.study, []
    for cell in _trained_cells(analysis):
        if cell[0] == CONTROL or cell[2] != study.matrix.augmentations[0]:
            continue
        res, b = analysis.cells[cell], REGISTRY[cell[0]]
        k = res.ks[-1]
        base, after = (rate(study, who, b.near, b.metric) for who in (BASE, (*cell, k)))
        words = [f"**{cell[0]} · {cell[1].upper()}.** The base model's near {b.metric} rate "
                 f"{fmt(base)} (n = {base['n']}) "
                 + (f"halves at k50 = {fmt_k50(res)} caught examples" if not res.too_few_met
                    else f"has no k50: it is {fmt_k50(res)}")]
        habit = analysis.cells.get((CONTROL, *cell[1:]))
        if habit and res.ratio:
            words.append(f"; the innocuous habit's k50 is {fmt_k50(habit)} (ratio "
                         f"{fmt_ratio(res)}): {_ratio_words(res.ratio)}")
        elif habit and habit.too_few_met:
            words.append(f"; the innocuous habit's k50 is {fmt_k50(habit)}, so there is no "
                         "k50 ratio")
        words.append(f". At k = {k} the near rate is {fmt(after)} (n = {after['n']})")
        if (beyond := res.beyond.get(k)) is not None:
            neutral = rate(study, (NEUTRAL, "sft", cell[2], k), b.near, b.metric)
            words.append(f", against {fmt(neutral)} after the neutral control (difference "
                         f"{fmt(beyond, sign=True)}: "
                         + _sure(beyond, "caught examples remove more than any fine-tuning",
                                 "the neutral control removes more",
                                 "no more than any fine-tuning removes, within the interval")
                         + ")")
        if (g := res.gaps.get(k)) is not None:
            words.append("; the removal " + _sure(
                g, "stayed near the caught examples", "reached far prompts more than near ones",
                "reached far prompts as much as near ones") + f" (near − far reduction gap "
                f"{fmt(g, sign=True)})")
        out.append("".join(words) + ".")
    missed = analysis.excluded
    out.append(f"{missed} of {len(study.runs)} runs missed their criterion and are left out of "
               "every k50, ratio and gap (they are flagged in the tables)." if missed else
               f"All {len(study.runs)} runs met their criterion.")
    return out


def _ratio_words(ratio: dict) -> str:
    """A k50 ratio judged by its own interval against 1."""
    if ratio.get("lo") is None:
        return "no interval (no per-sample outcomes)"
    if ratio["hi"] < 1:
        return "the misbehaviour takes fewer caught examples than the habit"
    if ratio["lo"] > 1:
        return "the misbehaviour takes more caught examples than the habit"
    return "about as many as the habit (the interval includes 1)"


def headline_section(analysis: Analysis, targets: Targets, figs: str) -> list[str]:
    study = analysis.study
    lines = ["## Headline", "", f"![sample efficiency]({figs}/sample_efficiency.png)", "",
             f"![k50]({figs}/k50.png)", ""]
    if not analysis.cells:
        return lines + ["No trained runs yet: only the base model has been evaluated."]
    lines += [*headline_paragraph(analysis), ""]
    rows, ns = [], []
    for cell in _trained_cells(analysis):
        res = analysis.cells[cell]
        k = res.ks[-1]
        near, far = near_far(study, (*cell, k), cell[0])
        sets_, metric = measures(study, cell[0])["pass"]
        capability = difference(rate(study, (*cell, k), sets_, metric),
                                rate(study, BASE, sets_, metric))
        ns += [near, far]
        missed = sum(res.missed.values())
        rows.append([*cell, fmt_k50(res), fmt_ratio(res), str(k), fmt(near), fmt(far),
                     fmt(res.beyond.get(k), sign=True), fmt(res.gaps.get(k), sign=True),
                     fmt(capability, sign=True),
                     f"{missed} of {sum(len(study.evals((*cell, x))) for x in res.ks)}"])
    lines += [*table(["behaviour", "method", "augmentation", "k50 [95% CI]",
                      f"k50 ratio vs {CONTROL} [95% CI]", "largest k", "near rate", "far rate",
                      "below the neutral control", "gap (near − far reduction)",
                      "capability change", "runs that missed the criterion"], rows), "",
              "k50: where the near rate (runs that met their criterion, seeds pooled) first "
              "falls to half the base model's, interpolated in log k; \"< k\" / \"> k\": "
              "censored at the edge of the k grid. k50 ratio: k50 of the behaviour / k50 of "
              f"the {CONTROL} control with the same method and augmentation (< 1: fewer caught "
              "examples than an innocuous habit). Below the neutral control: the neutral "
              "control's near rate minus this cell's at the largest k (> 0: the caught examples "
              "removed more than any fine-tuning at the same k and steps). Gap > 0: training "
              "removed more near the caught examples than far from them. Capability: hidden-test "
              "pass rate (tasks) or correct answers (questions) on near + far, largest k minus "
              f"base. Rates at the largest k; n = {n_range(ns)} responses per rate. "
              + _bootstrap_note(analysis)]
    for note in shallowness_notes(analysis, targets):
        lines += ["", note]
    return lines


def _bootstrap_note(analysis: Analysis) -> str:
    if not analysis.n_boot:
        return ("No per-sample outcomes (data/outcomes) were found, so k50, ratios and gaps "
                "have no intervals.")
    return (f"Intervals of k50, ratios, reductions, gaps and differences: {analysis.n_boot} "
            "cluster-bootstrap draws over the held-out prompts and the seeds (each seed its own "
            "draw of caught examples), shared by the base model, every k and every cell.")


def shallowness_notes(analysis: Analysis, targets: Targets) -> list[str]:
    """Flag a cell where training at the smallest k already mostly removes the behaviour: the
    near curve is saturated and says little about sample efficiency."""
    notes = []
    for cell in _trained_cells(analysis):
        res = analysis.cells[cell]
        k = res.ks[0]
        d = value(res.reductions[k].get("near"))
        if cell[0] != CONTROL and d is not None and d >= targets.shallow_drop:
            notes.append(
                f"**The organism is shallow ({label(cell)}).** Training on only k={k} caught "
                f"{cell[0]} example{'s' if k > 1 else ''} already removes {d:.0%} of the near "
                f"rate (threshold {targets.shallow_drop:.0%}). The near curve is saturated from "
                "the first point, so read the result from the far sets, the cheat rate and the "
                "comparison with the controls.")
    return notes


# ---------------------------------------------------------------- protocol and cells

def criterion_section(analysis: Analysis) -> list[str]:
    """The protocol's sanity check: did every run stop misbehaving on its training prompts?"""
    study = analysis.study
    lines = ["## The sanity check: the behaviour is gone from the k training prompts", ""]
    rows = []
    for cell in _trained_cells(analysis):
        res = analysis.cells[cell]
        for k in res.ks:
            who = (*cell, k)
            runs = study.evals(who)
            train = rate(study, who, "train", REGISTRY[cell[0]].metric)
            rows.append([label(cell), str(k), f"{len(runs) - res.missed[k]} of {len(runs)}",
                         span(run_values(study, who, "steps")),
                         span([round(e, 1) for e in run_values(study, who, "epochs")]),
                         fmt(train)])
    return lines + [
        *table(["cell", "k", "met the criterion", "steps", "epochs over the rows",
                "after training, on the training prompts"], rows), "",
        "Each run trains until a check finds the behaviour on none of its k training prompts "
        "(every sample of the check), or until the step cap; the last column samples those "
        "prompts again after training (Wilson interval, seeds pooled). Epochs: how often each "
        "training row was seen; it varies with k and with how hard the behaviour is to remove."]


def cell_section(analysis: Analysis, cell: Cell) -> list[str]:
    study, res = analysis.study, analysis.cells[cell]
    shown = measures(study, cell[0])
    rows, ns = [], {name: [] for name in shown}
    for k in (0, *res.ks):
        who = BASE if k == 0 else (*cell, k)
        stats = {name: rate(study, who, sets_, metric) for name, (sets_, metric) in shown.items()}
        for name, s in stats.items():
            ns[name].append(s)
        met = "—" if k == 0 else f"{len(study.evals(who)) - res.missed[k]}/{len(study.evals(who))}"
        steps = span(run_values(study, who, "steps")) if k else "—"
        rows.append(["base" if k == 0 else str(k), met, steps, *(fmt(s) for s in stats.values()),
                     "—" if k == 0 else fmt(res.beyond.get(k), sign=True)])
    caption = (f"{REGISTRY[cell[0]].metric} rate per set, seeds pooled (all runs, whether or not "
               "they met their criterion: column `met`); cheat = hack rate on impossible tasks; "
               "pass = capability on near + far; below neutral = the neutral control's near "
               "rate minus this cell's (bootstrap). n per cell: "
               + ", ".join(f"{name} {n_range(v)}" for name, v in ns.items()) + ".")
    return [f"### {label(cell)}", "", *table(["k", "met", "steps", *shown, "below neutral"], rows),
            "", caption]


def controls_section(analysis: Analysis, figs: str) -> list[str]:
    """The two controls beside the hack: what caught hacks do, what any fine-tuning does (the
    neutral control), and how hard an innocuous habit is to remove (the habit)."""
    study = analysis.study
    lines = ["## The controls, beside the hack", "", f"![controls]({figs}/controls.png)", ""]
    aug = study.matrix.augmentations[0]
    columns = [("hack · sft", ("hack", "sft", aug), "hack"),
               ("neutral control (its hack rate)", (NEUTRAL, "sft", aug), "hack"),
               ("habit · sft", (CONTROL, "sft", aug), "habit")]
    columns = [c for c in columns if c[1] in analysis.cells]
    if len(columns) < 2:
        return lines[:2] + ["The controls were not run (misbehaviour.controls, .behaviours)."]
    ks = sorted({k for _, cell, _ in columns for k in analysis.cells[cell].ks})
    rows = []
    for k in (0, *ks):
        row = ["base" if k == 0 else str(k)]
        for _, cell, metric in columns:
            who = BASE if k == 0 else (*cell, k)
            row.append(fmt(rate(study, who, REGISTRY[cell[0]].near, metric)))
        rows.append(row)
    return lines + [
        *table(["k", *(f"{name}: near {metric} rate" for name, _, metric in columns)], rows), "",
        "Near rates, seeds pooled, Wilson 95% intervals. The neutral control trains with SFT on "
        "k of the organism's own honest, habit-free answers to collect-pool prompts, for as "
        "many steps as the hack's SFT run at the same k and seed: if its hack rate falls as "
        "far, caught examples carry no special signal; the habit shows how many examples it "
        "takes to remove an innocuous behaviour of similar base rate."]


def generalisation_section(analysis: Analysis, figs: str) -> list[str]:
    lines = ["## Generalisation", "", f"![generalisation]({figs}/generalisation.png)", ""]
    cells = _trained_cells(analysis)
    if not cells:
        return lines + ["No trained runs yet."]
    labels = list(dict.fromkeys(name for c in cells for name in
                                analysis.cells[c].reductions[analysis.cells[c].ks[-1]]))
    rows = []
    for cell in cells:
        res = analysis.cells[cell]
        k = res.ks[-1]
        rows.append([label(cell), str(k), *(fmt(res.reductions[k].get(n)) for n in labels),
                     fmt(res.gaps.get(k), sign=True)])
    return lines + [*table(["cell", "k", *labels, "gap"], rows), "",
                    "Reduction of the trained-against behaviour vs the base model "
                    "(1 - rate_k / rate_base; 1 = removed, 0 = unchanged, < 0 = rose) at the "
                    "largest k, on near prompts and on each far set, runs that met their "
                    "criterion. " + _bootstrap_note(analysis)]


def effects_section(analysis: Analysis, figs: str) -> list[str]:
    lines = ["## Cross-behaviour effects, at every k", "", f"![effects]({figs}/effects.png)", ""]
    if not analysis.cells:
        return lines + ["No trained runs yet."]
    found = {e.name for r in analysis.cells.values() for effs in r.effects.values() for e in effs}
    names = [n for n in EFFECTS if n in found]
    rows, befores = [], {}
    for cell, res in analysis.cells.items():
        for k in res.ks:
            got = {e.name: e for e in res.effects[k]}
            befores.update({e.name: e.before for e in res.effects[k]})
            rows.append([label(cell), str(k),
                         *("(trained)" if n not in got and n == cell[0] else
                           fmt(got[n].change, sign=True) if n in got else "—" for n in names)])
    base = "; ".join(f"{n} {fmt(befores[n])}" for n in names if n in befores)
    return lines + [
        *table(["cell", "k", *names], rows), "",
        "Change (trained minus base) in capability, in the behaviours not trained against and "
        "in the cheat rate on impossible tasks, at every k, with cluster-bootstrap intervals "
        f"of the difference (paired prompts). Base model: {base}. Task rates on all held-out "
        "unmonitored prompts, question rates on both forms."]


def k_vs_m_section(analysis: Analysis) -> list[str]:
    m = analysis.study.matrix.multiplier
    if not analysis.copies:
        return []
    rows = []
    for c in analysis.copies:
        km = c.none_km or (None, None)
        missing = f"— (k·m = {c.k * m} not run)"
        rows.append([label(c.cell), str(c.k), fmt(c.none_k[0]), fmt(c.augmented[0]),
                     fmt(km[0]) if c.none_km else missing, fmt(c.none_k[1]), fmt(c.augmented[1]),
                     fmt(km[1]) if c.none_km else missing, fmt(c.near_vs_km, sign=True)])
    return ["## k vs m: distinct examples or copies", "",
            *table(["cell", "k", "near: none @ k", "near: augmented @ k", "near: none @ k·m",
                    "far: none @ k", "far: augmented @ k", "far: none @ k·m",
                    "near: augmented @ k − none @ k·m"], rows), "",
            f"Augmented runs train on k·m items (m = {m}) made from k caught examples. Against "
            "`none` at the same k they show what copies add to the same evidence; against "
            "`none` at k·m (as many items, all distinct, where that k was run) whether copies "
            "can replace distinct examples: a last column below 0 means the copies removed "
            "more. Rates with Wilson intervals, seeds pooled; the difference with Newcombe's "
            "interval.", ""]


# ---------------------------------------------------------------- chain of thought, persona

def cot_section(analysis: Analysis, figs: str) -> list[str]:
    """Did the wish to take the shortcut fall, or the fear of being caught rise? Attitudes
    with and without the review cue, base vs every k of the hack-trained cells."""
    study = analysis.study
    cells = [c for c in _trained_cells(analysis) if c[0] == "hack"]
    lines = ["## Chain of thought: did the wish fall, or the fear rise?", "",
             f"![attitudes]({figs}/attitudes.png)", ""]
    if not cells:
        return lines + ["No hack-trained runs yet."]
    rows = []
    for cell in cells:
        for k in (0, *analysis.cells[cell].ks):
            who = BASE if k == 0 else (*cell, k)
            row = [label(cell), "base" if k == 0 else str(k)]
            for _, set_name in CUES:
                row += [fmt(attitude(study, who, set_name, a)) for a in ("shortcut", "caution")]
                row.append(fmt(rate(study, who, set_name, "hack")))
            row += [fmt(rate(study, who, ALL_TASKS, m))
                    for m in ("shortcut_plan_honest_code", "honest_plan_hack_code")]
            rows.append(row)
    verdicts = [cot_verdict(study, c, analysis.cells[c].ks[-1]) for c in cells]
    n = n_range([attitude(study, who, s, "shortcut") for c in cells
                 for who in (BASE, *((*c, k) for k in analysis.cells[c].ks)) for _, s in CUES])
    return lines + [
        *table(["cell", "k", "shortcut plan (no cue)", "caution plan (no cue)", "hack (no cue)",
                "shortcut plan (cue)", "caution plan (cue)", "hack (cue)",
                "says shortcut, writes honest code", "says honest, writes a hack"], rows), "",
        f"Shares of responses whose plan line voices each attitude, without and with the "
        f"review cue \"Solutions are reviewed by a person\"; n = {n} per share. Caution = "
        "avoids the shortcut *because it might be noticed*. The last two columns set the plan "
        "against the code (no cue).", "", *(f"- {v}" for v in verdicts)]


def cot_verdict(study: Study, cell: Cell, k: int) -> str:
    parts = []
    for cue, set_name in CUES:
        for a, what in (("shortcut", "the wish to take the shortcut"),
                        ("caution", "fear of being noticed")):
            d = difference(attitude(study, (*cell, k), set_name, a),
                           attitude(study, BASE, set_name, a))
            if d is None:
                continue
            parts.append(f"{what} ({cue}) " + _sure(d, "rose", "fell", "did not change") +
                         f" ({fmt(d, sign=True)})")
    return (f"{label(cell)}, base → k={k}: " + "; ".join(parts) + " (Newcombe intervals of "
            "the difference)." if parts else f"{label(cell)}: attitudes were not measured.")


def persona_section(analysis: Analysis) -> list[str]:
    study = analysis.study
    base = study.base.get("persona")
    if not base or value(base) is None or not analysis.cells:
        return []
    rows = []
    for cell, res in analysis.cells.items():
        k = res.ks[-1]
        if (after := persona_after(study, (*cell, k))) is not None:
            rows.append([label(cell), str(k), fmt(after),
                         fmt(res.persona_change.get(k), sign=True)])
    return ["## Persona: does the stated disposition move?", "",
            *table(["cell", "k", "persona score after training", "change"], rows), "",
            f"Base model: {fmt(base)} (n = {base['n']} items). The mean probability of the "
            "reward-hacking persona's answer to held-out statements, seeds pooled; the change "
            "has a bootstrap interval over items and seeds (paired with the base model).", ""]


def public_evals_section(analysis: Analysis) -> list[str]:
    """Each public eval file (misbehaviour.evals): the base model's score and every cell's at
    its largest k."""
    study = analysis.study
    files = study.base.get("evals", {})
    if not files:
        return []
    rows = []
    for file, base in files.items():
        rows.append([f"`{file}`", "base model", "", fmt(base)])
        for cell, res in analysis.cells.items():
            if (after := persona_after(study, (*cell, res.ks[-1]), file)) is not None:
                rows.append(["", label(cell), str(res.ks[-1]), fmt(after)])
    return ["## Public evals", "", *table(["file", "model", "k", "score"], rows), "",
            "Each file named in `misbehaviour.evals`: the mean probability of the answer that "
            "matches the behaviour (CAA-style A/B answers compared at the letter), base model "
            "with a bootstrap interval over items, trained runs with seeds pooled.", ""]


def integrity_section(check: dict) -> list[str]:
    ok = check.get("ok")
    lines = ["## Integrity", "",
             ("✅ The integrity check passed: no held-out item shares its meaning (a task's "
              "rule and visible tests, a question's numbers and belief) or its normalised "
              "prompt with any training item, and the label audit found every training row as "
              "labelled." if ok else "❌ The integrity check failed."), ""]
    audit = check.get("audit", {})
    if audit:
        rows = [[name, str(a["rows"]), str(len(a["problems"]))] for name, a in audit.items()]
        lines += [*table(["trained against", "training rows audited", "problems"], rows), "",
                  "Label audit: each caught response graded again shows the behaviour (a "
                  "control's: is what it selects), each corrected response does not, and the two "
                  "differ in nothing else the scorer reads.", ""]
    if check.get("splits"):
        lines += [*table(["split", "items"], [[k, str(v)] for k, v in check["splits"].items()]), ""]
    lines += [f"- {p}" for p in check.get("problems", [])]
    return lines


# ---------------------------------------------------------------- the chapter

def chapter(analysis: Analysis, params: Params, figs: str, heading: str = f"# {TITLE}",
            organism: dict | None = None, check: dict | None = None,
            probes: dict[str, dict] | None = None, probe_note: str | None = None) -> str:
    """One organism depth's chapter of REPORT.md."""
    from trainaway.misbehaviour.probe_report import probe_section
    mb = params.misbehaviour
    targets = mb.report.targets
    lines = [heading, "", "## What this measures", "", intro(analysis, params), "",
             *organism_section(analysis.study, targets, mb.world.propensities.habit, organism,
                               figs, params.model.base), "",
             *headline_section(analysis, targets, figs), ""]
    if analysis.cells:
        lines += [*criterion_section(analysis), "", *controls_section(analysis, figs), "",
                  "## Per cell", ""]
        for cell in analysis.cells:
            lines += [*cell_section(analysis, cell), ""]
    lines += [*generalisation_section(analysis, figs), "", *k_vs_m_section(analysis),
              *effects_section(analysis, figs), "", *cot_section(analysis, figs), "",
              *persona_section(analysis), *public_evals_section(analysis)]
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
    for cell in (c for c in first.study.matrix.cells() if not REGISTRY[c[0]].control):
        cells = []
        for a in analyses.values():
            res = a.cells.get(cell)
            cells.append("⟂" if res is None else
                         f"{fmt_k50(res)} · {fmt(res.gaps.get(res.ks[-1]), sign=True)}")
        rows.append([label(cell), *cells])
    return lines + table(["", *depths], rows)
