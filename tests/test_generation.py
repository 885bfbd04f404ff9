from trainaway.generation import Sampling, hf_generate, load_hf_model

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
