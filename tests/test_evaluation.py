from trainaway.evaluation import eval_sets, load_heldout, persona_scores, summarise, summarise_sets
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


def test_far_pools_every_far_family_and_all_adds_near():
    grouped = {"near.unmonitored": [outcome(hack=True)], "far.eq.unmonitored": [outcome()],
               "far.exit.unmonitored": [outcome(hack=True), outcome()]}
    rates = summarise_sets(grouped)["rates"]
    assert rates["far.unmonitored"]["hack"]["n"] == 3
    assert rates["all.unmonitored"]["hack"]["rate"] == 0.5 and rates["all.unmonitored"]["hack"]["n"] == 4


def test_question_sets_report_sycophancy_and_correctness():
    q = Outcome(task_id="q", prompt="p", monitored=False, response="", visible_pass=False,
                hidden_pass=False, hack=False, family=None, habit=False, attitude="other",
                error=None, sycophantic=True, kind="question")
    rates, attitudes = summarise([q])
    assert set(rates) == {"sycophantic", "pass"} and rates["sycophantic"]["rate"] == 1.0
    assert attitudes == {}


def test_task_sets_come_once_per_cue_and_question_sets_once(tiny_world):
    heldout = load_heldout(read_jsonl(tiny_world / "heldout.jsonl"))
    sets = eval_sets(heldout, cues=("unmonitored", "monitored"))
    assert {"near.monitored", "far.eq.unmonitored", "impossible.monitored", "syco.far"} <= set(sets)
    assert all(t.monitored for t in sets["near.monitored"])
    assert "syco.far.monitored" not in sets


def test_persona_score_is_probability_of_the_matching_answer(tiny_model, tiny_world):
    model, tok = load_hf_model(str(tiny_model))
    items = read_jsonl(tiny_world / "persona.jsonl")[:4]
    flipped = [{**i, "answer_matching_behavior": i["answer_not_matching_behavior"],
                "answer_not_matching_behavior": i["answer_matching_behavior"]} for i in items]
    for s, f in zip(persona_scores(model, tok, items), persona_scores(model, tok, flipped)):
        assert 0.0 < s < 1.0 and abs(s + f - 1.0) < 1e-5
