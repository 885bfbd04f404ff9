import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from trainaway.core import methods
from trainaway.core.trainers import make_trainer, scratch_dir, training_args

EXAMPLES = [{"prompt": "What is 2 + 5 ? I think it is 8 .", "completion": "The answer is 7 .",
             "rejected": "The answer is 8 ."},
            {"prompt": "What is 1 + 1 ?", "completion": "The answer is 2 .",
             "rejected": "The answer is 3 ."}]


def _trained_weights(base, method, precompute_ref):
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base)
    m = methods.get(method)
    args = training_args(m.trainer, out_dir=scratch_dir(), lr=1e-2, batch_size=2, seed=0,
                         device="cpu", max_steps=3, show_progress=False,
                         precompute_ref=precompute_ref)
    trainer = make_trainer(m.trainer, model, tokenizer, m.rows(EXAMPLES, tokenizer), args)
    trainer.train()
    return torch.cat([p.detach().flatten() for p in trainer.model.parameters()])


@pytest.mark.parametrize("method", ["dpo", "kto"])
def test_a_precomputed_reference_trains_the_same_weights(tiny_model, method):
    every_step = _trained_weights(str(tiny_model), method, precompute_ref=False)
    precomputed = _trained_weights(str(tiny_model), method, precompute_ref=True)
    assert torch.allclose(every_step, precomputed, atol=1e-5)
