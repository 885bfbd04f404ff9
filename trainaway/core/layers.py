"""Which hidden states a probe reads. Light (no torch), so that params validation can check
the probed layers against an organism's depth before any compute."""
from __future__ import annotations


def resolve_layers(n_layers: int, layer: int | None, layers: list[int]) -> list[int]:
    """The probed hidden_states indices, 0..n_layers, headline layer first; None = the middle."""
    wanted = [n_layers // 2 if layer is None else layer, *layers]
    bad = [w for w in wanted if not -n_layers - 1 <= w <= n_layers]
    if bad:
        raise ValueError(f"probe layers {bad} out of range: the model has hidden states "
                         f"0..{n_layers} (0 = embeddings; negative counts from the last)")
    return list(dict.fromkeys(w % (n_layers + 1) for w in wanted))
