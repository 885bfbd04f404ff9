"""The probe section of REPORT.md and its figure, from the probe stage's probes/{run}.json."""
from __future__ import annotations

import json
from pathlib import Path

from trainaway.core.markdown import fmt, table, value
from trainaway.core.plotting import COLOURS, jitter, plt, save
from trainaway.misbehaviour.figures import k_axis

SERIES = (("frozen", "frozen behaviour probe", "-"), ("refit", "refit behaviour probe", "--"),
          ("contrast", "generic contrast probe", ":"))


def load_probes(directory: str | Path) -> dict[str, dict]:
    """probes/*.json keyed by run (`base`, `{behaviour}-k{k}`): base first, then by behaviour
    and increasing k. The probe stage rewrites the directory each time, so every file
    belongs to the current matrix."""
    probes = {p.stem: json.loads(p.read_text()) for p in Path(directory).glob("*.json")}
    order = sorted(probes, key=lambda r: (probes[r]["behaviour"] is not None,
                                          probes[r]["behaviour"] or "", probes[r]["k"]))
    return {run: probes[run] for run in order}


def _stat(p: dict, name: str) -> dict | None:
    """"frozen", "refit_unmonitored", ..., or "contrast" / "contrast_unmonitored"."""
    if name.startswith("contrast"):
        return p["contrast_probe"].get(name.replace("contrast", "frozen"))
    return p["behaviour_probe"].get(name)


def _series(probes: dict[str, dict], behaviour: str) -> list[tuple[int, dict]]:
    """(k, result) with the base model as k=0, in increasing k."""
    runs = sorted((p["k"], p) for p in probes.values() if p["behaviour"] == behaviour)
    return [(0, probes["base"])] + runs


def _behaviours(probes: dict[str, dict]) -> list[str]:
    return list(dict.fromkeys(p["behaviour"] for p in probes.values() if p["behaviour"]))


def _decodable(s: dict, still: str = "") -> str:
    if value(s) is None:
        return "cannot be judged (one class only among the test prompts)"
    if s["lo"] > 0.5:
        return f"is {still}linearly decodable"
    return "is not clearly linearly decodable (the interval reaches chance, 0.5)"


def _moved(change: dict | None) -> str:
    """The frozen probe's mean-score change, judged by its own (paired) interval."""
    if change is None or value(change) is None:
        return "not comparable"
    return "lower" if change["hi"] < 0 else "higher" if change["lo"] > 0 else "unchanged"


FIRES = {"lower": "fires less", "higher": "fires more", "not comparable": "cannot be compared",
         "unchanged": "still fires as in the base model (the change's interval includes 0)"}
QUIETED = {("lower", "lower"): "on both families",
           ("lower", "unchanged"): "only on the trained (near) family"}


def _run_sentence(base: dict, run: dict) -> str:
    """After training against the behaviour with k examples: decodable? does it still fire?"""
    b, k = run["behaviour"], run["k"]
    refit, before = _stat(run, "refit_unmonitored"), _stat(base, "refit_unmonitored")
    near0, far0 = (base["behaviour_probe"]["mean_score"][s] for s in ("near", "far"))
    near1, far1 = (run["behaviour_probe"]["mean_score"][s] for s in ("near", "far"))
    change = run["behaviour_probe"]["mean_score"].get("change", {})
    near, far = _moved(change.get("near")), _moved(change.get("far"))
    where = QUIETED.get((near, far))
    example = "example" if k == 1 else "examples"
    return (f"After training against the {b} with k={k} caught {example}, the hack disposition "
            f"{_decodable(refit, 'still ')}: a refitted probe reaches AUROC {fmt(refit)} within "
            f"unmonitored prompts, vs {fmt(before)} in the base model. The base model's frozen "
            f"probe {FIRES[near]} on near prompts (mean score {fmt(near0)} → {fmt(near1)}, "
            f"change {fmt(change.get('near'), sign=True)}) and {FIRES[far]} on far prompts "
            f"({fmt(far0)} → {fmt(far1)}, change {fmt(change.get('far'), sign=True)})"
            + (f", so the old direction was quieted {where}" if where else "") + "; its AUROC "
            f"within unmonitored prompts is now {fmt(_stat(run, 'frozen_unmonitored'))}.")


COLUMNS = ("frozen", "frozen_unmonitored", "refit", "refit_unmonitored", "contrast",
           "contrast_unmonitored")


def probe_section(probes: dict[str, dict], figs: str) -> list[str]:
    """REPORT.md lines; `probes` maps run -> probes/{run}.json (see load_probes)."""
    lines = ["## Probes: the disposition or only the output?", ""]
    if "base" not in probes:
        return lines + ["No probe results yet (stage `probe`)."]
    base = probes["base"]
    n, n_unmon = _stat(base, "frozen")["n"], _stat(base, "frozen_unmonitored")["n"]
    lines += [
        f"![probes]({figs}/probes.png)", "",
        f"Logistic-regression probes read the residual stream (hidden state {base['layer']}) at "
        "the last prompt token of each held-out prompt, before the model writes anything. The "
        "label is the base model's own behaviour on that prompt (hack or not). Probes are fitted "
        "on half of the held-out tasks and scored on the other half "
        f"(n = {n} prompts, {n_unmon} of them unmonitored). The review cue alone predicts much "
        "of the hacking, so the AUROC within unmonitored prompts is the one that shows the "
        "disposition rather than the cue. Frozen: the base model's probe applied unchanged; "
        "refit: a fresh probe on the trained model's activations with the same labels; "
        "contrast: projection on a generic \"yes, I am being sneaky\" minus \"no\" direction "
        "from questions that never mention the task. 0.5 = chance.", "",
        f"- Base model: the behaviour probe reaches AUROC {fmt(_stat(base, 'frozen'))} overall "
        f"and {fmt(_stat(base, 'frozen_unmonitored'))} within unmonitored prompts (so the "
        f"disposition {_decodable(_stat(base, 'frozen_unmonitored'))} beyond the cue); the "
        f"generic contrast probe {fmt(_stat(base, 'contrast'))} overall and "
        f"{fmt(_stat(base, 'contrast_unmonitored'))} within unmonitored prompts.",
    ]
    for b in _behaviours(probes):
        runs = [p for _, p in _series(probes, b)[1:]]
        for run in runs[:1] + runs[1:][-1:]:  # smallest and largest k, once each
            lines.append(f"- {_run_sentence(base, run)}")
    rows = [[run, *(fmt(_stat(p, c)) for c in COLUMNS),
             *(fmt(p["behaviour_probe"]["mean_score"][s]) for s in ("near", "far"))]
            for run, p in probes.items()]
    lines += ["", *table(["run", "frozen", "frozen (unmon)", "refit", "refit (unmon)",
                           "contrast", "contrast (unmon)", "score near", "score far"], rows), "",
              f"AUROC [95% bootstrap CI] against the base model's labels on the test half: n = {n} "
              f"prompts ({n_unmon} unmonitored). Score = mean probability from the frozen base "
              "probe on near / far test prompts."]
    return lines + _layer_table(probes)


def _layer_table(probes: dict[str, dict]) -> list[str]:
    layers = list(probes["base"]["per_layer"])
    if len(layers) < 2:
        return []
    rows = [[layer, *(fmt(p["per_layer"][layer]["refit_unmonitored"]) for p in probes.values())]
            for layer in layers]
    return ["", *table(["hidden state", *probes], rows), "",
            "Refit AUROC within unmonitored prompts at each probed hidden state "
            "(0 = embeddings): where the disposition is linearly present, per model."]


def probe_figure(probes: dict[str, dict], path: str | Path) -> None:
    """AUROC vs k per trained-against behaviour, all held-out prompts and unmonitored only."""
    if "base" not in probes:
        return
    bs = _behaviours(probes) or [""]  # "": the base model alone
    all_ks = [p["k"] for p in probes.values()]  # one k axis for every panel
    fig, axes = plt.subplots(2, len(bs), figsize=(5.5 * len(bs), 7), sharey=True, squeeze=False,
                             layout="constrained")
    for col, b in enumerate(bs):
        series = _series(probes, b)
        for row, suffix in enumerate(("", "_unmonitored")):
            ax = axes[row][col]
            for i, (name, label, ls) in enumerate(SERIES):
                stats = [(k, s) for k, p in series
                         if value(s := _stat(p, name + suffix)) is not None]
                ys = [value(s) for _, s in stats]
                ax.errorbar([jitter(k, 0.08 * (i - 1)) for k, _ in stats], ys,
                            yerr=[[y - s["lo"] for y, (_, s) in zip(ys, stats)],
                                  [s["hi"] - y for y, (_, s) in zip(ys, stats)]],
                            marker="o", capsize=3, markersize=4, color=COLOURS[i], linestyle=ls,
                            label=label)
            ax.axhline(0.5, color="grey", linewidth=0.8)
            k_axis(ax, all_ks)
            ax.set_title(f"{f'{b}-trained' if b else 'base model'}, "
                         f"{'unmonitored only' if suffix else 'all held-out'}")
        axes[0][col].legend(fontsize=8, loc="lower left")
    for row in axes:
        row[0].set_ylabel("AUROC vs the base model's hack labels")
    axes[0][0].set_ylim(0, 1.02)
    base = probes["base"]
    fig.suptitle(f"Is the hack disposition still linearly decodable? (95% CI; hidden state "
                 f"{base['layer']}; n = {_stat(base, 'frozen')['n']} test prompts, "
                 f"{_stat(base, 'frozen_unmonitored')['n']} unmonitored)")
    save(fig, Path(path))
