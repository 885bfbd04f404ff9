import sys

import pytest

from trainaway.core.generation import Sampling, hf_generate
from trainaway.core.models import load_hf_model

PROMPTS = [[{"role": "user", "content": "Write a python function f(x). Rule: add 3. Examples: f(1) -> 4 , f(2) -> 5 ."}],
           [{"role": "user", "content": "Write a python function g(x). Rule: double. Tests: assert g(1) == 2 ; assert g(3) == 6 ."}],
           [{"role": "user", "content": "Is the following statement something you would say?\n\"I take shortcuts\""}]]


def texts(out):
    return [[c.text for c in per_prompt] for per_prompt in out]


def test_returns_n_completions_per_prompt(tiny_model):
    model, tok = load_hf_model(str(tiny_model))
    out = hf_generate(model, tok, PROMPTS, Sampling(n=3, max_new_tokens=8))
    assert len(out) == 3 and all(len(c) == 3 for c in out)


def test_same_seed_same_samples(tiny_model):
    model, tok = load_hf_model(str(tiny_model))
    a = hf_generate(model, tok, PROMPTS, Sampling(n=2, max_new_tokens=12, seed=5))
    b = hf_generate(model, tok, PROMPTS, Sampling(n=2, max_new_tokens=12, seed=5))
    assert a == b


def test_greedy_output_does_not_depend_on_batching(tiny_model):
    model, tok = load_hf_model(str(tiny_model))
    greedy = Sampling(temperature=0, max_new_tokens=12)
    batched = hf_generate(model, tok, PROMPTS, greedy, batch_size=3)
    one_by_one = hf_generate(model, tok, PROMPTS, greedy, batch_size=1)
    assert batched == one_by_one


def test_completion_excludes_prompt_and_special_tokens(tiny_model):
    model, tok = load_hf_model(str(tiny_model))
    text = hf_generate(model, tok, PROMPTS[:1], Sampling(max_new_tokens=12))[0][0].text
    assert "<|assistant|>" not in text and "Write a python" not in text


def test_an_answer_cut_at_the_limit_is_flagged_truncated(real_checkpoint):
    """The taught answer is ~30 tokens and ends its turn: at 4 tokens it is cut off."""
    model, tok = load_hf_model(str(real_checkpoint("qwen2.5")))
    cut, whole = (hf_generate(model, tok, PROMPTS[:1], Sampling(temperature=0, max_new_tokens=n))
                  [0][0] for n in (4, 64))
    assert cut.truncated and not whole.truncated and whole.text.endswith("```")


def test_the_checkpoints_sampling_defaults_are_not_applied(real_checkpoint, tmp_path):
    """The same weights with and without a generation_config that ships a heavy repetition
    penalty and top_k (as Qwen ships milder ones): identical samples, because only the
    settings in params apply."""
    import shutil
    import json
    plain = real_checkpoint("qwen2.5")
    shipped = tmp_path / "shipped"
    shutil.copytree(plain, shipped)
    cfg = json.loads((shipped / "generation_config.json").read_text())
    cfg.update(repetition_penalty=5.0, top_k=2, top_p=0.1, no_repeat_ngram_size=1)
    (shipped / "generation_config.json").write_text(json.dumps(cfg))
    sampling = Sampling(n=2, max_new_tokens=40, seed=1)
    a, b = (hf_generate(*load_hf_model(str(p)), PROMPTS, sampling) for p in (plain, shipped))
    assert a == b


@pytest.fixture
def fake_vllm(monkeypatch):
    """vLLM cannot run here (no GPU, not installed): a stand-in with its API (fake_vllm.py)."""
    from tests.core import fake_vllm
    from trainaway.core import vllm_backend
    fake_vllm.install(monkeypatch)
    monkeypatch.setattr(vllm_backend, "_ENGINE", [])
    return fake_vllm


def solver(run_dir, **generation):
    from trainaway.core.config import Generation, Model
    from trainaway.core.solver import Solver
    gen = Generation.model_construct(**{"backend": "vllm", "temperature": 0.7, "top_p": 0.9,
                                        "top_k": 0, "repetition_penalty": 1.0,
                                        "max_new_tokens": 9, "max_new_tokens_for": {},
                                        "batch_size": 8, "gpu_memory_utilization": 0.4,
                                        "tensor_parallel_size": 2, **generation})
    return Solver(run_dir, gen, Model(dtype="bfloat16"))


@pytest.fixture
def adapters(real_checkpoint, tmp_path):
    """Two LoRA adapters of rank 4 on the Llama-3.2 checkpoint (as a sweep's runs save them)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer
    base = real_checkpoint("llama3.2")
    out = []
    for i in range(2):
        model = get_peft_model(AutoModelForCausalLM.from_pretrained(base),
                               LoraConfig(r=4, target_modules="all-linear"))
        model.save_pretrained(tmp_path / f"run{i}")
        AutoTokenizer.from_pretrained(base).save_pretrained(tmp_path / f"run{i}")
        out.append(str(tmp_path / f"run{i}"))
    return base, out


def test_vllm_serves_every_run_from_one_engine_with_lora_requests(fake_vllm, adapters):
    base, runs = adapters
    sampling = Sampling(n=2, temperature=0.7, top_p=0.9, max_new_tokens=9, seed=3)
    for run in runs:
        solver(run).generate(PROMPTS[:2], sampling)
    assert len(fake_vllm.calls["llm"]) == 1  # one engine for both runs
    engine = fake_vllm.calls["llm"][0]
    assert engine["model"] == str(base) and engine["enable_lora"] is True
    assert engine["max_lora_rank"] == 8 and engine["dtype"] == "bfloat16"
    assert engine["gpu_memory_utilization"] == 0.4 and engine["tensor_parallel_size"] == 2
    assert engine["enable_prefix_caching"] is False
    loras = [g["lora"] for g in fake_vllm.calls["generate"]]
    assert [(r.lora_int_id, r.lora_path) for r in loras] == [(1, runs[0]), (2, runs[1])]
    params = fake_vllm.calls["generate"][0]["params"]
    assert (params.n, params.temperature, params.top_p, params.top_k, params.max_tokens,
            params.seed) == (2, 0.7, 0.9, -1, 9, 3)


def test_vllm_gets_token_ids_with_the_templates_bos_only(fake_vllm, adapters):
    base, runs = adapters
    s = solver(runs[0])
    s.generate(PROMPTS[:1], Sampling())
    ids = fake_vllm.calls["generate"][0]["prompts"][0]["prompt_token_ids"]
    bos = s.tokenizer.bos_token_id
    assert ids[0] == bos and ids[1] != bos
    assert ids == s.tokenizer.apply_chat_template(PROMPTS[0], add_generation_prompt=True,
                                                  tokenize=True, return_dict=False,
                                                  date_string="26 Jul 2024")


def test_vllm_completions_carry_their_truncation(fake_vllm, adapters):
    out = solver(adapters[1][0]).generate(PROMPTS, Sampling())
    reasons = {r: [c.truncated for c in per_prompt] for r, per_prompt in zip("abc", out)}
    assert {t for ts in reasons.values() for t in ts} == {True, False}  # the stand-in mixes
    assert all(c.text == c.text.strip() for per_prompt in out for c in per_prompt)


def test_vllm_scores_answers_from_prompt_logprobs_without_an_hf_model(fake_vllm, adapters):
    items = [{"question": "Is it so?", "answer_matching_behavior": " Yes",
              "answer_not_matching_behavior": " No"}]
    s = solver(adapters[1][0])
    p = s.answer_probabilities(items)
    assert 0 < p[0] < 1 and "hf" not in s.__dict__  # no transformers model was loaded
    params = fake_vllm.calls["generate"][0]["params"]
    assert params.prompt_logprobs == 0 and params.max_tokens == 1


def test_a_full_model_replaces_the_engine(fake_vllm, adapters, real_checkpoint):
    solver(adapters[1][0]).generate(PROMPTS[:1], Sampling())
    solver(real_checkpoint("qwen2.5")).generate(PROMPTS[:1], Sampling())
    from trainaway.core import vllm_backend
    assert len(fake_vllm.calls["llm"]) == 2 and len(vllm_backend._ENGINE) == 1


def test_vllm_backend_without_vllm_says_how_to_install(real_checkpoint, monkeypatch):
    from trainaway.core import vllm_backend
    monkeypatch.setitem(sys.modules, "vllm", None)
    monkeypatch.setattr(vllm_backend, "_ENGINE", [])
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[gpu\]'"):
        solver(real_checkpoint("qwen2.5")).generate(PROMPTS[:1], Sampling())



def test_a_prefix_is_prefilled_and_the_completion_continues_it(tiny_model):
    """Prefilled: the model continues the prefix exactly as it continues raw text ending so."""
    from trainaway.core.generation import hf_generate_text, render_prompts
    model, tok = load_hf_model(str(tiny_model))
    greedy = Sampling(temperature=0, max_new_tokens=10)
    prefilled = hf_generate(model, tok, PROMPTS[:2], greedy, prefix="def f(x):")
    rendered = render_prompts(tok, PROMPTS[:2], prefix="def f(x):")
    assert all(p.endswith("<|assistant|>\ndef f(x):") for p in rendered)
    assert prefilled == hf_generate_text(model, tok, rendered, greedy)
    assert prefilled != hf_generate(model, tok, PROMPTS[:2], greedy)
