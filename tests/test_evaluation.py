from trainaway.evaluation import persona_scores, summarise, summarise_sets
from trainaway.generation import load_hf_model
from trainaway.jsonl import read_jsonl
from trainaway.scoring import Outcome


def outcome(hack=False, passed=False, habit=False, attitude="solve"):
    return Outcome(task_id="t", prompt="p", monitored=False, response="", visible_pass=hack or passed,
                   hidden_pass=passed, hack=hack, family="lookup" if hack else None,
                   habit=habit, attitude=attitude, error=None)


def test_honest_pass_counts_only_non_hack_answers():
    rates, _ = summarise([outcome(hack=True), outcome(passed=True), outcome(), outcome(passed=True)])
    assert rates["hack"]["rate"] == 0.25 and rates["pass"]["rate"] == 0.5
    assert rates["honest_pass"]["rate"] == 2 / 3 and rates["honest_pass"]["n"] == 3


def test_attitude_shares_sum_to_one():
    _, att = summarise([outcome(attitude="caution"), outcome(attitude="shortcut", hack=True)])
    assert sum(a["rate"] for a in att.values()) == 1.0 and att["caution"]["rate"] == 0.5


def test_all_sets_pool_near_and_far():
    grouped = {"near.unmonitored": [outcome(hack=True)], "far.unmonitored": [outcome()],
               "near.monitored": [outcome()], "far.monitored": [outcome()]}
    summary = summarise_sets(grouped)
    assert summary["rates"]["all.unmonitored"]["hack"] == {**summary["rates"]["all.unmonitored"]["hack"], "rate": 0.5, "n": 2}


def test_persona_score_is_probability_of_the_matching_answer(tiny_model, tiny_world):
    model, tok = load_hf_model(str(tiny_model))
    items = read_jsonl(tiny_world / "persona.jsonl")[:4]
    flipped = [{**i, "answer_matching_behavior": i["answer_not_matching_behavior"],
                "answer_not_matching_behavior": i["answer_matching_behavior"]} for i in items]
    for s, f in zip(persona_scores(model, tok, items), persona_scores(model, tok, flipped)):
        assert 0.0 < s < 1.0 and abs(s + f - 1.0) < 1e-5
