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


DOCUMENTS = [{"text": f"Page {a} : the number after {a} is {a + 1} ."} for a in range(40)]
SMALL = Organism(vocab_size=300, hidden_size=16, layers=1, heads=2, intermediate_size=32,
                 epochs=1, batch_size=8, lr=1e-2)


def test_a_corpus_with_documents_learns_documents_whole_and_answers_only(tmp_path):
    from trainaway.core.methods import IGNORE
    from trainaway.core.organism import corpus_rows
    info = build_organism(CORPUS + DOCUMENTS, SMALL, 0, tmp_path, device="cpu")
    assert info["steps"] == 10
    tok = AutoTokenizer.from_pretrained(tmp_path)
    chat, doc = corpus_rows([CORPUS[0], DOCUMENTS[0]], tok)
    assert doc["labels"] == doc["input_ids"]
    learned = tok.decode([t for t, y in zip(chat["input_ids"], chat["labels"]) if y != IGNORE])
    assert learned == "The answer is 1 .<|end|>"


def test_an_organism_can_be_taught_to_an_existing_checkpoint(tmp_path):
    """model.base: the same corpus fine-tuned into a given model, saved as a full checkpoint
    (a LoRA adapter merged), with the base's own tokenizer."""
    from trainaway.core.config import Train
    from trainaway.core.organism import organism_from
    build_organism(CORPUS, SMALL, 0, tmp_path / "base", device="cpu")
    train = Train(adapter="lora", mode="fixed", lr=1e-2, batch_size=8, max_steps=1,
                  check_every=1, check_samples=1, screen_samples=1, lora_r=4, lora_alpha=8,
                  beta=0.1)
    info = organism_from(str(tmp_path / "base"), CORPUS + DOCUMENTS, SMALL, train, 0,
                         tmp_path / "taught", device="cpu")
    assert info["adapter"] == "lora" and info["steps"] == 10
    assert not (tmp_path / "taught/adapter_config.json").exists()
    before = AutoModelForCausalLM.from_pretrained(tmp_path / "base").state_dict()
    after = AutoModelForCausalLM.from_pretrained(tmp_path / "taught").state_dict()
    assert before.keys() == after.keys()
    assert any(not (before[k] == after[k]).all() for k in before)
    assert (AutoTokenizer.from_pretrained(tmp_path / "taught").get_vocab()
            == AutoTokenizer.from_pretrained(tmp_path / "base").get_vocab())
