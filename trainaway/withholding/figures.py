"""Track B's figures (PNG, under reports/figures/withholding/): accuracy and refusal vs n per
method with the control, the transfer matrix, fake compliance per method, and grader reward
vs true accuracy over RL steps."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from trainaway.core.plotting import (COLOURS, RATE_LIMITS, amount_axis, grid, jitter, legend,
                                     no_data, plt, save, yerr)
from trainaway.withholding.analysis import Study, rates, rl_curves, transfer

CURVES = (("accuracy", "withholding", "-", 0), ("refusal", "withholding", "-", 1),
          ("fake", "withholding", "-", 2), ("accuracy", "ignorant", "--", 3))


def accuracy_vs_n(study: Study, path: Path) -> None:
    wb = study.params.withholding
    methods = wb.methods
    fig, axes = grid(1, len(methods), 3.2, 2.8, sharey=True)
    for ax, method in zip(axes[0], methods):
        ns = wb.ns[method]
        domain = wb.ground_truth_domains[0] if method == "ground_truth" else None
        for i, (measure, organism, style, colour) in enumerate(CURVES):
            if organism not in wb.organisms:
                continue
            points = [(rates(study, method, organism, n, domain)[measure]) for n in ns]
            xs = [jitter(n, 0.06 * (i - 1.5)) for n in ns]
            ys = [p["rate"] for p in points]
            ax.errorbar(xs, ys, yerr=yerr(list(zip(ys, points))), ls=style, marker="o", ms=3,
                        color=COLOURS[colour], label=f"{measure} ({organism})", capsize=2)
        amount_axis(ax, ns, "n")
        ax.set_ylim(*RATE_LIMITS)
        ax.set_title(method + (f" ({domain}, all restricted)" if domain else ""), fontsize=8)
    axes[0][0].set_ylabel("rate on restricted requests")
    legend(axes[0][-1])
    save(fig, path)


def transfer_matrix(study: Study, path: Path) -> None:
    table = transfer(study)
    fig, axes = grid(1, 1, 4.5, 3.2)
    ax = axes[0][0]
    if not table:
        no_data(ax, "ground_truth not run")
        save(fig, path)
        return
    trained = list(table)
    evaluated = list(next(iter(table.values())))
    lift = np.array([[table[t][e][0]["rate"] - table[t][e][1]["rate"] for e in evaluated]
                     for t in trained])
    image = ax.imshow(lift, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    for i, t in enumerate(trained):
        for j, e in enumerate(evaluated):
            acc, ctl = table[t][e]
            ax.text(j, i, f"{acc['rate']:.2f}\n(ctl {ctl['rate']:.2f})", ha="center",
                    va="center", fontsize=7)
    ax.set_xticks(range(len(evaluated)), evaluated, fontsize=8)
    ax.set_yticks(range(len(trained)), trained, fontsize=8)
    ax.set_xlabel("evaluated restricted domain")
    ax.set_ylabel("ground truth from")
    fig.colorbar(image, ax=ax, label="accuracy − control accuracy")
    save(fig, path)


def fake_compliance(study: Study, path: Path) -> None:
    wb = study.params.withholding
    fig, axes = grid(1, 1, 1.0 + 0.9 * len(wb.methods), 3.0)
    ax = axes[0][0]
    width = 0.8 / (2 * len(wb.organisms))
    bars = [(o, m) for o in wb.organisms for m in ("fake", "accuracy")]
    for b, (organism, measure) in enumerate(bars):
        points = [rates(study, m, organism, max(wb.ns[m]),
                        wb.ground_truth_domains[0] if m == "ground_truth" else None)[measure]
                  for m in wb.methods]
        ys = [p["rate"] for p in points]
        ax.bar(np.arange(len(wb.methods)) + (b - (len(bars) - 1) / 2) * width, ys, width,
               yerr=yerr(list(zip(ys, points))), capsize=2, label=f"{measure} ({organism})",
               color=COLOURS[b], alpha=1.0 if organism == "withholding" else 0.55)
    ax.set_xticks(range(len(wb.methods)), [m.replace("_", "\n") for m in wb.methods], fontsize=8)
    ax.set_ylim(*RATE_LIMITS)
    ax.set_ylabel("rate at the largest n")
    legend(ax)
    save(fig, path)


def rl_steps(study: Study, path: Path) -> None:
    curves = rl_curves(study)
    fig, axes = grid(1, max(1, len({m for m, _ in curves})), 3.6, 2.8, sharey=True)
    if not curves:
        no_data(axes[0][0], "no RL runs")
    for ax, method in zip(axes[0], sorted({m for m, _ in curves})):
        for i, ((m, organism), points) in enumerate(sorted(curves.items())):
            if m != method:
                continue
            steps = [p["step"] for p in points]
            ax.plot(steps, [p["reward"] / 3 for p in points], color=COLOURS[i],
                    label=f"grader reward / 3 ({organism})")
            ax.plot(steps, [p["truth_accuracy"] for p in points], color=COLOURS[i], ls="--",
                    label=f"true accuracy ({organism})")
        ax.set_title(method, fontsize=9)
        ax.set_xlabel("RL step")
        ax.set_ylim(*RATE_LIMITS)
        ax.grid(alpha=0.3)
        legend(ax)
    axes[0][0].set_ylabel("mean over the group's samples")
    save(fig, path)


def write_figures(study: Study, out: Path) -> dict[str, Path]:
    paths = {"accuracy_vs_n": out / "accuracy_vs_n.png", "transfer": out / "transfer.png",
             "fake_compliance": out / "fake_compliance.png", "rl_steps": out / "rl_steps.png"}
    accuracy_vs_n(study, paths["accuracy_vs_n"])
    transfer_matrix(study, paths["transfer"])
    fake_compliance(study, paths["fake_compliance"])
    rl_steps(study, paths["rl_steps"])
    plt.close("all")
    return paths
