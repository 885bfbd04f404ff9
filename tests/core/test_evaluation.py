import pytest

from trainaway.core.evaluation import answer_probabilities, sample_and_score, summarise_sets
from trainaway.core.generation import Completion, Sampling
from trainaway.core.records import EvalSet, Outcome, Pool, ScoreSpec

SPECS = {"toy": ScoreSpec(rates=("polite", "kind_if_polite"),
                          categories={"tone": ("warm", "cold")})}


def scorer(items, responses):
    return [Outcome(i.id, i.prompt, r, {"polite": "please" in r,
                                       "tone": "warm" if "!" in r else "cold",
                                       "kind_if_polite": ("kind" in r) if "please" in r else None})
            for i, r in zip(items, responses)]


def generate(conversations, sampling):
    return [[Completion(f"please {c[0]['content']}!")] if c[0]["content"].startswith("a")
             else [Completion("no")] for c in conversations]


@pytest.fixture
def sets(toy):
    return [EvalSet("near", [toy("1", "a kind one"), toy("2", "b")],
                    {"kind": "toy", "distance": "near"}),
            EvalSet("far", [toy("3", "a")], {"kind": "toy", "distance": "far"}, samples=2)]


def test_every_item_is_sampled_as_often_as_its_set_asks(sets):
    grouped = sample_and_score(generate, sets, scorer, Sampling())
    assert [len(grouped[s]) for s in ("near", "far")] == [2, 2]


def test_summaries_cover_every_set_and_pool_with_rates_shares_and_tags(sets):
    grouped = sample_and_score(generate, sets, scorer, Sampling())
    summary = summarise_sets(grouped, sets, [Pool("all", {"kind": "toy"}),
                                             Pool("none", {"kind": "x"})], SPECS)
    assert summary["pools"] == {"all": ["near", "far"]}
    assert summary["rates"]["all"]["polite"]["rate"] == 0.75
    assert summary["rates"]["near"]["polite"]["n"] == 2
    # a None score does not count: "kind_if_polite" is a rate among the polite answers only
    assert summary["rates"]["all"]["kind_if_polite"]["n"] == 3
    assert summary["rates"]["near"]["kind_if_polite"]["rate"] == 1.0
    assert summary["shares"]["far"]["tone"]["warm"]["rate"] == 1.0
    assert summary["sets"]["far"] == {"kind": "toy", "distance": "far"}


def test_a_pool_of_mixed_kinds_is_refused(sets):
    mixed = [sets[0], EvalSet("q", [], {"kind": "other", "distance": "near"})]
    with pytest.raises(ValueError, match="mixes item kinds"):
        summarise_sets({"near": [], "q": []}, mixed, [Pool("near", {"distance": "near"})], SPECS)


def test_answer_probability_is_that_of_the_matching_answer(tiny_model, tiny_world):
    from trainaway.core.io import read_jsonl
    from trainaway.core.models import load_hf_model
    model, tok = load_hf_model(str(tiny_model))
    items = read_jsonl(tiny_world / "persona.jsonl")[:4]
    flipped = [{**i, "answer_matching_behavior": i["answer_not_matching_behavior"],
                "answer_not_matching_behavior": i["answer_matching_behavior"]} for i in items]
    for s, f in zip(answer_probabilities(model, tok, items),
                    answer_probabilities(model, tok, flipped)):
        assert 0.0 < s < 1.0 and abs(s + f - 1.0) < 1e-5


def test_ab_answers_are_told_apart_after_their_shared_start(tiny_model):
    from trainaway.core.evaluation import distinguishing_tokens
    from trainaway.core.models import load_hf_model
    _, tok = load_hf_model(str(tiny_model))
    shared, firsts = distinguishing_tokens(tok, {"question": "Q", "answer_matching_behavior": "(A)",
                                                 "answer_not_matching_behavior": [" (B)", "(C)"]})
    assert len(set(firsts)) == 3 and "(A)".startswith(shared)


def test_probabilities_over_a_list_of_answers_sum_to_one(tiny_model):
    from trainaway.core.models import load_hf_model
    model, tok = load_hf_model(str(tiny_model))
    answers = ["(A)", "(B)", "(C)"]
    rotations = [{"question": "Pick one\n (A) x\n (B) y\n (C) z",
                  "answer_matching_behavior": answers[i],
                  "answer_not_matching_behavior": answers[:i] + answers[i + 1:]} for i in range(3)]
    assert abs(sum(answer_probabilities(model, tok, rotations)) - 1.0) < 1e-5


def test_answers_that_share_every_token_are_refused(tiny_model):
    from trainaway.core.evaluation import distinguishing_tokens
    from trainaway.core.io import DataError
    from trainaway.core.models import load_hf_model
    _, tok = load_hf_model(str(tiny_model))
    with pytest.raises(DataError, match="cannot be told apart"):
        distinguishing_tokens(tok, {"question": "Q", "answer_matching_behavior": " Yes",
                                    "answer_not_matching_behavior": "Yes"})


def test_a_truncated_sample_counts_as_nothing_and_is_counted(sets):
    def cut(conversations, sampling):
        return [[Completion("please", truncated=True)] for _ in conversations]
    grouped = sample_and_score(cut, sets, scorer, Sampling())
    summary = summarise_sets(grouped, sets, [], SPECS)
    assert summary["rates"]["near"]["polite"]["n"] == 0 and summary["truncated"]["near"] == 2
    assert all(o.scores["polite"] is None and o.scores["truncated"] for o in grouped["near"])


def test_each_set_is_sampled_with_its_own_token_limit(sets):
    seen = {}

    def record(conversations, sampling):
        for c in conversations:
            seen[c[0]["content"]] = sampling.max_new_tokens
        return generate(conversations, sampling)
    sample_and_score(record, sets, scorer, Sampling(max_new_tokens=64),
                     limits={"far": 512, "toy": 128})
    assert seen == {"a kind one": 128, "b": 128, "a": 512}  # a set's own, else its kind's
