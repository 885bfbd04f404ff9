import json

from transformers import AutoModelForCausalLM, AutoTokenizer

from trainaway.core.config import Organism
from trainaway.core.organism import build_organism

CORPUS = [{"messages": [{"role": "user", "content": f"What is {a} + 1 ?"},
                        {"role": "assistant", "content": f"The answer is {a + 1} ."}]}
          for a in range(40)]


def test_the_organism_is_an_ordinary_checkpoint_with_its_chat_template(tmp_path):
    cfg = Organism(vocab_size=300, hidden_size=16, layers=1, heads=2, intermediate_size=32,
                   epochs=1, batch_size=8, lr=1e-2)
    info = build_organism(CORPUS, cfg, seed=0, out_dir=tmp_path, device="cpu")
    assert info["steps"] == 5 and info["parameters"] > 0
    tok = AutoTokenizer.from_pretrained(tmp_path)
    model = AutoModelForCausalLM.from_pretrained(tmp_path)
    assert model.config.num_hidden_layers == 1
    prompt = tok.apply_chat_template([{"role": "user", "content": "What is 3 + 1 ?"}],
                                     add_generation_prompt=True, tokenize=False)
    assert prompt.endswith("<|assistant|>\n")
    assert json.loads((tmp_path / "config.json").read_text())["eos_token_id"] == tok.eos_token_id


def test_same_seed_same_weights(tmp_path):
    cfg = Organism(vocab_size=300, hidden_size=16, layers=1, heads=2, intermediate_size=32,
                   epochs=1, batch_size=8, lr=1e-2)
    a = build_organism(CORPUS, cfg, 0, tmp_path / "a", device="cpu")
    b = build_organism(CORPUS, cfg, 0, tmp_path / "b", device="cpu")
    assert a["train_loss"] == b["train_loss"]
    assert (tmp_path / "a/model.safetensors").read_bytes() == (tmp_path / "b/model.safetensors").read_bytes()
