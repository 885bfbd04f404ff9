import torch
from transformers import LlamaConfig, LlamaForCausalLM
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

from trainaway.core.packing import PackedCollator, pack_rows


def test_every_row_lands_in_one_bin_no_bin_longer_than_the_longest_row():
    lengths = [9, 3, 5, 4, 2, 9, 1]
    bins = pack_rows(lengths)
    assert sorted(i for b in bins for i in b) == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in b) <= 9 for b in bins)
    assert len(bins) == 4  # 33 tokens in bins of 9: the fewest possible


def _examples():
    g = torch.Generator().manual_seed(0)
    out = []
    for n in (7, 3, 12, 5, 4, 9):
        ids = torch.randint(1, 50, (n,), generator=g).tolist()
        labels = [-100] * (n // 2) + ids[n // 2:]  # loss on the second half only
        out.append({"input_ids": ids, "labels": labels})
    return out


def test_a_packed_batch_has_the_padded_batch_loss_and_gradient():
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=50, hidden_size=16, num_hidden_layers=2,
                                         num_attention_heads=2, intermediate_size=32,
                                         pad_token_id=0))
    examples = _examples()
    padded = DataCollatorForLanguageModeling(pad_token_id=0)(examples)
    packed = PackedCollator(pad_token_id=0)(examples)
    assert packed["input_ids"].numel() < padded["input_ids"].numel()
    grads = []
    for batch in (padded, packed):
        model.zero_grad()
        loss = model(**batch, use_cache=False).loss  # as TRL's SFT calls it in training
        loss.backward()
        grads.append((loss.item(), torch.cat([p.grad.flatten() for p in model.parameters()])))
    assert abs(grads[0][0] - grads[1][0]) < 1e-5
    assert torch.allclose(grads[0][1], grads[1][1], atol=1e-5)
