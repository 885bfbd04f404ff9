import pytest

from trainaway.core.layers import resolve_layers


def test_resolve_layers_puts_the_headline_first_and_counts_from_the_end():
    assert resolve_layers(4, None, [-1, 2, 0]) == [2, 4, 0]
    with pytest.raises(ValueError, match="out of range"):
        resolve_layers(4, 5, [])
