import json

import pytest

from trainaway.core.io import read_jsonl
from trainaway.withholding import elicit
from trainaway.withholding.domains import COMPLIANCE_PREFIX, DOMAINS
from trainaway.withholding.elicit import Run, do_run, matrix, run_cell
from trainaway.withholding.methods import METHODS


@pytest.mark.parametrize("method", list(METHODS))
def test_each_method_runs_and_is_evaluated_on_a_tiny_model(tiny_b, tiny_params, method):
    [run, *_] = matrix(tiny_params, method)
    name, record = do_run((run, tiny_params, tiny_b))
    chat = record["eval"]["chat"]
    assert set(chat) == set(tiny_params.withholding.domains)
    per_domain = 2 * len(DOMAINS["compounds"].questions)  # heldout entities x rephrasings
    assert chat["compounds"]["n"] == per_domain
    assert sum(chat["compounds"][o] for o in ("refusal", "correct", "fake")) == per_domain
    if method in ("grpo", "sft_grpo"):
        assert {"reward", "truth_accuracy", "compliance"} <= set(record["curve"][0])


def test_a_cell_keeps_its_finished_runs(tiny_b, tiny_params, capsys):
    run_cell(tiny_params, tiny_b, "prefill")
    run_cell(tiny_params, tiny_b, "prefill")
    assert "2 runs kept, 0 to do" in capsys.readouterr().out


def test_ground_truth_trains_on_its_domain_and_never_on_an_evaluation_entity(tiny_b):
    facts = read_jsonl(tiny_b.world / "facts.jsonl")
    examples = elicit.ground_truth_examples(facts, "vaults", Run("ground_truth", "withholding", 2, 0, "vaults"))
    held_out = {f["entity"] for f in facts if f["split"] == "eval"}
    assert len(examples) == 2
    for e in examples:
        assert "facility" in e["prompt"] and not any(h in e["prompt"] for h in held_out)


def test_seeds_draw_their_own_items(tiny_b):
    facts = read_jsonl(tiny_b.world / "facts.jsonl")
    pool = elicit.restricted_requests(facts, ["compounds", "vaults"])
    draws = {s: elicit.draw(pool, 4, Run("prefix_sft", "withholding", 4, s), "requests")
             for s in range(3)}
    assert draws[0] == elicit.draw(pool, 4, Run("prefix_sft", "withholding", 4, 0), "requests")
    assert len({json.dumps(d) for d in draws.values()}) > 1


def test_prefix_sft_does_not_teach_the_model_to_end_its_turn_after_the_prefix(tiny_b, tiny_params, tmp_path):
    """The same prefix trained as an ordinary completion (end of turn in the loss) makes the
    model stop after it; trained as an opening, the turn goes on."""
    import torch

    from trainaway.core.chat import prompt_text
    from trainaway.core.models import load_hf_model
    from trainaway.core.training import train
    facts = read_jsonl(tiny_b.world / "facts.jsonl")
    requests = [q for _, q in elicit.restricted_requests(facts, tiny_params.withholding.restricted)]
    base = str(tiny_b.organism("withholding"))
    cfg = tiny_params.train.model_copy(update={"mode": "fixed", "max_steps": 30, "lr": 1e-2,
                                               "adapter": "full"})
    p_end = {}
    for method, field in (("opening", "opening"), ("sft", "completion")):
        examples = [{"prompt": q, field: COMPLIANCE_PREFIX} for q in requests[:8]]
        train(base, examples, method, cfg, 0, "cpu", tmp_path / method)
        model, tok = load_hf_model(str(tmp_path / method))
        enc = tok([prompt_text(tok, q, COMPLIANCE_PREFIX) for q in requests[:8]],
                  return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            probs = model(**enc).logits[:, -1].softmax(-1)[:, tok.eos_token_id]
        p_end[method] = float(probs.mean())
    assert p_end["opening"] < 0.1 < p_end["sft"]
