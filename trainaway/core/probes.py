"""Linear probes on residual-stream activations: does training remove the disposition or only
the output?

Every model is read at the last token of each held-out prompt, before it writes a word. The
labels are always the *base* model's own behaviour on that prompt (the experiment supplies
them, with the subsets worth reporting). A probe fitted on the base model and applied
unchanged to a trained model ("frozen") asks whether the old direction still fires; a probe
fitted afresh on the trained model ("refit") asks whether the information is still linearly
present at all. A generic contrast direction (mean activation after "Yes" minus after "No" to
questions the experiment chooses) is the third reading, in the spirit of "Simple probes can
catch sleeper agents".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import rankdata
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from trainaway.core.generation import render_prompts
from trainaway.core.stats import bootstrap_mean


@dataclass(frozen=True)
class HeldOut:
    """One row per held-out prompt, labelled by the base model's own behaviour there."""
    prompts: list[str]
    label: np.ndarray                # the behaviour the probes decode (bool per prompt)
    test: np.ndarray                 # in the half the probes are scored on (else the half they fit)
    within: dict[str, np.ndarray]    # subsets AUROC is also reported within, e.g. {"unmonitored": ...}
    groups: dict[str, np.ndarray]    # subsets the frozen probe's mean score is reported on
    label_name: str = "label"        # what `label` is, for messages


# ---------------------------------------------------------------- activations

def user_prompts(tokenizer, prompts: list[str]) -> list[str]:
    """Each prompt as a user turn, rendered up to where the assistant starts answering."""
    return render_prompts(tokenizer, [[{"role": "user", "content": p}] for p in prompts])


@torch.no_grad()
def last_token_states(model, tokenizer, texts: list[str], layers: list[int],
                      batch_size: int = 64) -> np.ndarray:
    """[n, len(layers), hidden] residual stream at each rendered text's last token.
    Layer L is hidden_states[L]: 0 is the embeddings, -1 the last layer."""
    tokenizer.padding_side = "left"  # then position -1 is every text's own last token
    out = []
    for start in range(0, len(texts), batch_size):
        enc = tokenizer(texts[start:start + batch_size], return_tensors="pt", padding=True,
                        add_special_tokens=False).to(model.device)
        # A plain forward pass (unlike generate) numbers positions from the first pad; count
        # real tokens only, so a padded prompt reads exactly as it does alone.
        positions = (enc["attention_mask"].cumsum(-1) - 1).clamp(min=0)
        hidden = model(**enc, position_ids=positions, output_hidden_states=True).hidden_states
        out.append(torch.stack([hidden[layer][:, -1] for layer in layers], 1).float().cpu().numpy())
    return np.concatenate(out)


def activations(model, tokenizer, prompts: list[str], layers: list[int],
                batch_size: int = 64) -> np.ndarray:
    """[n, len(layers), hidden] at the last prompt token (chat template, generation prompt)."""
    return last_token_states(model, tokenizer, user_prompts(tokenizer, prompts), layers, batch_size)


# ---------------------------------------------------------------- probes and their scores

def fit_probe(x: np.ndarray, y: np.ndarray, seed: int = 0, c: float = 1.0,
              what: str = "label") -> Pipeline:
    if len(np.unique(y)) < 2:
        raise ValueError(f"the base model's {what} labels on the fitting half are all "
                         f"{bool(y[0]) if len(y) else 'missing'}; a probe needs both classes")
    # Standardised features: the residual stream has a few huge dimensions that would
    # otherwise dominate the L2 penalty.
    return make_pipeline(StandardScaler(),
                         LogisticRegression(C=c, max_iter=2000, random_state=seed)).fit(x, y)


def auroc_rows(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """AUROC of each row of [b, n] arrays at once (Mann-Whitney U on average ranks, so ties
    count half, as in roc_auc_score); nan for a row with one class only."""
    pos = labels.sum(axis=1)
    neg = labels.shape[1] - pos
    u = (rankdata(scores, axis=1) * labels).sum(axis=1) - pos * (pos + 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((pos > 0) & (neg > 0), u / (pos * neg), np.nan)


def auroc(labels, scores, n_boot: int = 1000, seed: int = 0) -> dict:
    """{"auroc", "lo", "hi", "n"}: AUROC with a 95% percentile bootstrap over prompts."""
    y, s = np.asarray(labels, dtype=bool), np.asarray(scores, dtype=float)
    if y.all() or not y.any():  # undefined with one class (or none)
        return {"auroc": float("nan"), "lo": float("nan"), "hi": float("nan"), "n": int(len(y))}
    idx = np.random.default_rng(seed).integers(0, len(y), size=(n_boot, len(y)))
    lo, hi = np.nanpercentile(auroc_rows(y[idx], s[idx]), [2.5, 97.5])
    return {"auroc": float(roc_auc_score(y, s)), "lo": float(lo), "hi": float(hi), "n": int(len(y))}


@dataclass(frozen=True)
class BaseProbes:
    """Fitted on the base model once, then applied unchanged to every model."""
    layers: list[int]        # hidden_states indices; the first is the headline layer
    probes: list[Pipeline]   # the behaviour probe at each layer
    direction: np.ndarray    # the generic contrast direction at the headline layer
    seed: int = 0
    c: float = 1.0


def fit_base(acts: np.ndarray, held: HeldOut, layers: list[int], direction: np.ndarray,
             seed: int = 0, c: float = 1.0) -> BaseProbes:
    fit = ~held.test
    probes = [fit_probe(acts[fit, i], held.label[fit], seed, c, held.label_name)
              for i in range(len(layers))]
    return BaseProbes(layers, probes, direction, seed, c)


def frozen_scores(base: BaseProbes, acts: np.ndarray, held: HeldOut) -> np.ndarray:
    """The base model's headline probe applied to a model's activations, per test prompt."""
    return base.probes[0].predict_proba(acts[held.test, 0])[:, 1]


def describe(base: BaseProbes, acts: np.ndarray, held: HeldOut,
             reference: np.ndarray | None = None) -> dict:
    """One model's probe results; `acts` are its activations of held.prompts at base.layers.
    Every AUROC is on the same test half, so probes and models compare on the same prompts.
    With `reference` (the base model's `frozen_scores`), also the change of the frozen
    probe's mean score per group, with a bootstrap over the same prompts (paired)."""
    fit, test = ~held.test, held.test
    y = held.label[test]
    within = {name: mask[test] for name, mask in held.within.items()}

    def scored(name: str, score: np.ndarray) -> dict:
        # e.g. within unmonitored prompts a review cue cannot be what the probe reads
        return {name: auroc(y, score, seed=base.seed),
                **{f"{name}_{sub}": auroc(y[mask], score[mask], seed=base.seed)
                   for sub, mask in within.items()}}

    per_layer = []
    for i, frozen in enumerate(base.probes):
        refit = fit_probe(acts[fit, i], held.label[fit], base.seed, base.c, held.label_name)
        per_layer.append({**scored("frozen", frozen.predict_proba(acts[test, i])[:, 1]),
                          **scored("refit", refit.predict_proba(acts[test, i])[:, 1])})
    score = frozen_scores(base, acts, held)
    mean_score = {name: bootstrap_mean(score[mask[test]], seed=base.seed)
                  for name, mask in held.groups.items()}
    if reference is not None:
        mean_score["change"] = {name: bootstrap_mean((score - reference)[mask[test]],
                                                     seed=base.seed)
                                for name, mask in held.groups.items()}
    return {"behaviour_probe": {**per_layer[0], "mean_score": mean_score},
            "contrast_probe": scored("frozen", acts[test, 0] @ base.direction),
            "per_layer": {str(layer): block for layer, block in zip(base.layers, per_layer)}}


def contrast_activations(model, tokenizer, questions: list[str], layers: list[int],
                         batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """([questions, layers, hidden] after "Yes", the same after "No"), at the answer token."""
    # The answer is appended to the generation prompt rather than rendered as a whole assistant
    # turn: templates close the turn with end-of-turn tokens, and the last token must be the answer.
    rendered = user_prompts(tokenizer, list(questions))
    yes, no = ([r + answer for r in rendered] for answer in ("Yes", "No"))
    return (last_token_states(model, tokenizer, yes, layers, batch_size),
            last_token_states(model, tokenizer, no, layers, batch_size))


def contrast_direction(yes: np.ndarray, no: np.ndarray) -> np.ndarray:
    """Unit vector mean(yes) - mean(no) for [n, hidden] arrays: positive = "yes"."""
    d = yes.mean(axis=0) - no.mean(axis=0)
    return d / np.linalg.norm(d)
