from trainaway.core.generation import Sampling, hf_generate
from trainaway.core.models import load_hf_model

PROMPTS = [[{"role": "user", "content": "Write a python function f(x). Rule: add 3. Examples: f(1) -> 4 , f(2) -> 5 ."}],
           [{"role": "user", "content": "Write a python function g(x). Rule: double. Tests: assert g(1) == 2 ; assert g(3) == 6 ."}],
           [{"role": "user", "content": "Is the following statement something you would say?\n\"I take shortcuts\""}]]


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
    out = hf_generate(model, tok, PROMPTS[:1], Sampling(max_new_tokens=12))
    assert "<|assistant|>" not in out[0][0] and "Write a python" not in out[0][0]


def test_vllm_backend_follows_its_api(tiny_model, monkeypatch):
    """vLLM cannot run here; a stand-in records how the backend calls it (the documented API:
    LLM(enable_lora, max_lora_rank), SamplingParams(n, temperature, max_tokens, seed),
    generate(prompts, params, lora_request=LoRARequest(name, id, path)))."""
    import sys
    import types

    calls = {}

    class LLM:
        def __init__(self, **kwargs):
            calls["llm"] = kwargs

        def generate(self, prompts, params, lora_request=None):
            calls["prompts"], calls["lora"] = prompts, lora_request
            out = types.SimpleNamespace(outputs=[types.SimpleNamespace(text=" def f(x): ")] * params.kw["n"])
            return [out for _ in prompts]

    class SamplingParams:
        def __init__(self, **kw):
            self.kw = kw
            calls["sampling"] = kw

    vllm = types.ModuleType("vllm")
    vllm.LLM, vllm.SamplingParams = LLM, SamplingParams
    lora_mod = types.ModuleType("vllm.lora.request")
    lora_mod.LoRARequest = lambda name, int_id, path: (name, int_id, path)
    monkeypatch.setitem(sys.modules, "vllm", vllm)
    monkeypatch.setitem(sys.modules, "vllm.lora", types.ModuleType("vllm.lora"))
    monkeypatch.setitem(sys.modules, "vllm.lora.request", lora_mod)

    from trainaway.core.generation import vllm_generate
    out = vllm_generate(str(tiny_model), PROMPTS[:2], Sampling(n=2, temperature=0.7, max_new_tokens=9, seed=3),
                        adapter=str(tiny_model), lora_rank=12)
    assert out == [["def f(x):"] * 2] * 2
    assert calls["llm"]["enable_lora"] is True and calls["llm"]["max_lora_rank"] == 16
    assert calls["sampling"] == {"n": 2, "temperature": 0.7, "max_tokens": 9, "seed": 3}
    assert calls["lora"] == ("trained", 1, str(tiny_model))
    assert calls["prompts"][0].endswith("<|assistant|>\n")


def test_vllm_backend_without_vllm_says_how_to_install(tiny_model, monkeypatch):
    import sys

    import pytest
    monkeypatch.setitem(sys.modules, "vllm", None)
    from trainaway.core.generation import vllm_generate
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[gpu\]'"):
        vllm_generate(str(tiny_model), PROMPTS[:1], Sampling())


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
