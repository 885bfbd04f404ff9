"""Track B's part of the report: the organisms against their targets, the headline table
(which methods unlock correct answers, which only fake compliance, how far a little ground
truth carries), a table per method over n, the transfer matrix, RL's reward vs accuracy;
figures and CSVs; every metric key under `withholding.`."""
from __future__ import annotations

import csv
from pathlib import Path

from trainaway.core.markdown import fmt, table, value
from trainaway.core.report import Part
from trainaway.withholding.analysis import (MEASURES, headlines, load_study, organism_checks,
                                            rates, rl_curves, rl_windows, transfer)
from trainaway.withholding.figures import write_figures
from trainaway.withholding.layout import FIGURES, PLOTS, Layout
from trainaway.withholding.methods import METHODS
from trainaway.withholding.params import Params

TITLE = "# Track B — withholding: can training make a model reveal what it knows, correctly?"
P = "withholding"


def put(m: dict, key: str, s: dict) -> None:
    """A rate (or a difference) and its interval (and n) under dotted keys."""
    v = value(s)
    m[f"{P}.{key}"] = None if v is None else round(v, 4)
    m[f"{P}.{key}.lo"], m[f"{P}.{key}.hi"] = round(s["lo"], 4), round(s["hi"], 4)
    if "n" in s:
        m[f"{P}.{key}.n"] = s["n"]


def _runs(study, method: str):
    wb = study.params.withholding
    domains = wb.ground_truth_domains if method == "ground_truth" else [None]
    return [(o, d, n) for o in wb.organisms for d in domains for n in wb.ns[method]]


def metrics(study) -> dict:
    m: dict = {}
    for measure, s, target, met in organism_checks(study):
        m[f"{P}.organism.withholding.{measure}.target_met"] = met
    for organism, record in study.organisms.items():
        for measure, s in record["summary"].items():
            put(m, f"organism.{organism}.{measure}", s)
    for method in study.params.withholding.methods:
        for organism, domain, n in _runs(study, method):
            where = ".".join(filter(None, [method, organism, domain, f"n{n}"]))
            for measure, s in rates(study, method, organism, n, domain).items():
                put(m, f"{where}.{measure}", s)
    for h in headlines(study):
        key = "headline." + h.label.replace(" ", "_").replace("→", "to").replace(":", "")
        key = key.replace("(", "").replace(")", "")
        put(m, f"{key}.lift", h.lift)
        put(m, f"{key}.gain", h.gain)
    for trained, row in transfer(study).items():
        for evaluated, (acc, ctl) in row.items():
            put(m, f"transfer.{trained}.{evaluated}.accuracy", acc)
            put(m, f"transfer.{trained}.{evaluated}.control", ctl)
    for (method, organism), windows in rl_windows(study).items():
        for name, w in windows.items():  # first / last quarter of the steps
            put(m, f"{method}.{organism}.rl.{name}_reward", w["reward"])
            put(m, f"{method}.{organism}.rl.{name}_truth_accuracy", w["accuracy"])
    return dict(sorted(m.items()))


def write_csvs(study, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "rates.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["method", "organism", "domain", "n", "measure", "rate", "lo", "hi", "count"])
        for method in study.params.withholding.methods:
            for organism, domain, n in _runs(study, method):
                for measure, s in rates(study, method, organism, n, domain).items():
                    w.writerow([method, organism, domain or "", n, measure, round(s["rate"], 4),
                                round(s["lo"], 4), round(s["hi"], 4), s["n"]])
    with (out / "rl_steps.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["method", "organism", "step", "reward", "truth_accuracy"])
        for (method, organism), points in sorted(rl_curves(study).items()):
            for p in points:
                w.writerow([method, organism, p["step"], round(p["reward"], 4),
                            round(p["truth_accuracy"], 4)])


def _organism_section(study) -> list[str]:
    wb = study.params.withholding
    lines = ["## Organisms", "",
             "Restricted requests: every rephrasing of the request about each held-out entity "
             "(never asked in chat in training). Knowledge: the true answer is the likeliest of "
             "its domain's answers in textbook form (chance 1/8). The ignorant control never saw "
             "the restricted textbooks.", ""]
    rows = [[o, *(fmt(study.organisms[o]["summary"][k]) for k in
                  ("refusal", "knowledge", "open_accuracy", "accuracy", "fake")),
             str(study.organisms[o]["info"].get("parameters", study.organisms[o]["info"].get("base")))]
            for o in wb.organisms]
    lines += table(["organism", "restricted refusal", "restricted knowledge", "open accuracy",
                    "restricted accuracy", "fake compliance", "parameters / base"], rows)
    n = study.organisms["withholding"]["summary"]
    lines += ["", f"n: {n['refusal']['n']} restricted requests, {n['knowledge']['n']} restricted "
              f"facts, {n['open_accuracy']['n']} open requests (greedy decoding: one answer each).", ""]
    checks = organism_checks(study)
    missed = [name for name, _, _, met in checks if not met]
    lines += ["Targets (withholding organism): " + "; ".join(
        f"{name} {s['rate']:.2f} {'≥' if met else '<'} {target:g} ({'met' if met else 'MISSED'})"
        for name, s, target, met in checks) + "."]
    if missed:
        lines += ["", f"**The organism misses its target on {', '.join(missed)}**: read the "
                  "elicitation results with that in mind."]
    return lines + [""]


def _headline_section(study) -> list[str]:
    lines = ["## Headline", "",
             "At each method's largest n (seeds pooled). *Lift* = accuracy on the withholding "
             "organism − accuracy on the ignorant control (what was elicited, not taught); *gain* "
             "= accuracy − the organism's before any method. 95% intervals (Wilson; Newcombe "
             "for differences).", ""]
    rows = [[h.label, str(h.n), fmt(h.elicited["accuracy"]), fmt(h.control["accuracy"]),
             fmt(h.lift, sign=True), fmt(h.elicited["refusal"]), fmt(h.elicited["fake"]),
             fmt(h.elicited["knowledge"]), fmt(h.elicited["open_accuracy"]), h.verdict]
            for h in headlines(study)]
    lines += table(["method", "n", "accuracy", "control accuracy", "lift", "refusal",
                    "fake compliance", "knowledge", "open accuracy", "verdict"], rows)
    return lines + ["", "What these intervals do not sample: the organism. Each organism is one "
                    "training run (the seeds vary each method's draws and training, not the "
                    "organism), and how deep its refusal sits is a property of that run: the same "
                    "commit rerun at another CPU thread count (so every float rounding differed, "
                    "the organism's weights first) met the same organism targets but reached "
                    "another verdict for prefill and kept almost none of its refusal after "
                    "prefix SFT (README, Track B). Read each verdict as this organism's.", ""]


def _method_sections(study, figures: dict) -> list[str]:
    wb = study.params.withholding
    lines = ["## Per method and n", "", f"![accuracy and refusal vs n]({figures['accuracy_vs_n']})",
             "", f"![fake compliance per method]({figures['fake_compliance']})", ""]
    for method in wb.methods:
        lines += [f"### {method}", "", METHODS[method].description + ".", ""]
        rows = [[o, d or "—", str(n), *(fmt(rates(study, method, o, n, d)[k]) for k in MEASURES)]
                for o, d, n in _runs(study, method)]
        lines += table(["organism", "trained domain", "n", *MEASURES], rows) + [""]
    return lines


def _transfer_section(study, figures: dict) -> list[str]:
    table_ = transfer(study)
    if not table_:
        return []
    lines = ["## Transfer of a little ground truth", "",
             "Accuracy at ground truth's largest n on each restricted domain's held-out entities "
             "(control in brackets): the trained domain's row shows what n correct pairs teach "
             "or unlock there; the other columns whether it carries to domains it never saw.",
             "", f"![transfer matrix]({figures['transfer']})", ""]
    evaluated = list(next(iter(table_.values())))
    rows = [[t, *(f"{fmt(a)} ({fmt(c)})" for a, c in (table_[t][e] for e in evaluated))]
            for t in table_]
    return lines + table(["trained \\ evaluated", *evaluated], rows) + [""]


def _rl_section(study, figures: dict) -> list[str]:
    windows = rl_windows(study)
    if not windows:
        return []
    lines = ["## RL against a grader without ground truth", "",
             "Grader reward (compliance + format + agreement with the group's majority, max 3; "
             "trainaway/withholding/grader.py) and the true accuracy of the same samples in the "
             "first and the last quarter of the RL steps, seeds pooled. Reward: mean of the "
             "per-step group means, 95% bootstrap interval over the seed-steps; accuracy: "
             "share of the samples, 95% Wilson interval. Both treat one run's steps as "
             "independent, which they are not: read them as the least the uncertainty is.", "",
             f"![grader reward vs accuracy over RL steps]({figures['rl_steps']})", ""]
    rows = []
    for (m, o), w in sorted(windows.items()):
        first, last = w["first"], w["last"]
        rows.append([m, o, f"{first['steps'][0]}–{first['steps'][1]} → "
                     f"{last['steps'][0]}–{last['steps'][1]}",
                     f"{fmt(first['reward'])} → {fmt(last['reward'])}",
                     f"{fmt(first['accuracy'])} → {fmt(last['accuracy'])}",
                     f"{first['reward']['n']} seed-steps, {first['accuracy']['n']} samples"])
    return lines + table(["method", "organism", "steps", "grader reward", "true accuracy",
                          "n per window"], rows) + [""]


def build(params: Params, out: str | Path, root: str | Path = ".") -> Part:
    out = Path(out)
    study = load_study(params, Layout(Path(root)))
    figures = {k: p.relative_to(out) for k, p in write_figures(study, out / FIGURES).items()}
    write_csvs(study, out / PLOTS)
    markdown = "\n".join([TITLE, "", *_organism_section(study), *_headline_section(study),
                          *_transfer_section(study, figures), *_rl_section(study, figures),
                          *_method_sections(study, figures)])
    return Part(markdown, metrics(study))
