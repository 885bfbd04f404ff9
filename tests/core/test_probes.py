import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from trainaway.core.probes import (activations, auroc, auroc_rows, contrast_direction, fit_probe,
                                   user_prompts)

PROMPTS = ["Rule: add 1.", "Write a python function f(x). Rule: add 3. Reviewed.", "Rule: add 22."]


def planted(n=600, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dim))
    return x, x @ rng.normal(size=dim) + 0.1 * rng.normal(size=n) > 0


def probe_auroc(x, y):
    half = len(y) // 2
    probe = fit_probe(x[:half], y[:half])
    return auroc(y[half:], probe.predict_proba(x[half:])[:, 1])


def test_probe_finds_a_planted_direction():
    assert probe_auroc(*planted())["auroc"] > 0.95


def test_probe_on_shuffled_labels_is_chance():
    x, y = planted(n=3000)
    result = probe_auroc(x, np.random.default_rng(1).permutation(y))
    assert 0.4 < result["auroc"] < 0.6


def test_bootstrap_auroc_matches_sklearn_with_ties():
    rng = np.random.default_rng(0)
    y, s = rng.random((5, 40)) < 0.4, rng.integers(0, 4, size=(5, 40)).astype(float)
    expected = [roc_auc_score(yi, si) for yi, si in zip(y, s)]
    assert np.allclose(auroc_rows(y, s), expected)
    result = auroc(y[0], s[0])
    assert result["lo"] <= result["auroc"] == expected[0] <= result["hi"] and result["n"] == 40


def test_contrast_direction_recovers_a_planted_direction():
    rng = np.random.default_rng(0)
    d = rng.normal(size=32)
    context = rng.normal(size=(20, 32)) * 3  # each question's shared content, yes or no
    yes = context + d + 0.3 * rng.normal(size=(20, 32))
    no = context + 0.3 * rng.normal(size=(20, 32))
    assert contrast_direction(yes, no) @ d / np.linalg.norm(d) > 0.95


@torch.no_grad()
def test_activations_read_the_last_prompt_token_of_a_left_padded_batch(random_llama):
    model, tok = random_llama(PROMPTS + ["Are you doing something sneaky? Yes No"])
    acts = activations(model, tok, PROMPTS, [0, -1], batch_size=3)
    assert acts.shape == (3, 2, 32) and acts.dtype == np.float32
    for i, text in enumerate(user_prompts(tok, PROMPTS)):
        ids = tok(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
        hidden = model(ids, output_hidden_states=True).hidden_states
        assert np.allclose(acts[i, 0], hidden[0][0, -1].numpy(), atol=1e-5)
        assert np.allclose(acts[i, 1], hidden[2][0, -1].numpy(), atol=1e-4)
