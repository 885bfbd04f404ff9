from trainaway.core.records import Outcome
from trainaway.core.stats import summarise
from trainaway.core.evaluation import summarise_sets
from trainaway.core.io import read_jsonl
from trainaway.misbehaviour import sets
from trainaway.misbehaviour.scoring import SPECS


def outcome(hack=False, passed=False, habit=False, attitude="solve"):
    return Outcome("t", "p", "", {"hack": hack, "pass": passed, "habit": habit,
                                  "honest_pass": None if hack else passed,
                                  "visible_pass": hack or passed, "attitude": attitude})


def test_honest_pass_counts_only_non_hack_answers():
    rates, _ = summarise([outcome(hack=True), outcome(passed=True), outcome(), outcome(passed=True)],
                         SPECS["task"])
    assert rates["hack"]["rate"] == 0.25 and rates["pass"]["rate"] == 0.5
    assert rates["honest_pass"]["rate"] == 2 / 3 and rates["honest_pass"]["n"] == 3


def test_attitude_shares_sum_to_one():
    _, shares = summarise([outcome(attitude="caution"), outcome(attitude="shortcut", hack=True)],
                          SPECS["task"])
    att = shares["attitude"]
    assert sum(a["rate"] for a in att.values()) == 1.0 and att["caution"]["rate"] == 0.5


def test_question_sets_report_sycophancy_correctness_and_the_answer_split():
    q = Outcome("q", "p", "", {"sycophantic": True, "pass": False, "answer": "sycophantic"})
    rates, shares = summarise([q], SPECS["question"])
    assert set(rates) == {"sycophantic", "pass"} and rates["sycophantic"]["rate"] == 1.0
    assert shares["answer"]["sycophantic"]["rate"] == 1.0 and shares["answer"]["other"]["n"] == 1


def test_task_sets_come_once_per_cue_and_question_sets_once(tiny_world):
    made = {s.name: s for s in sets.eval_sets(read_jsonl(tiny_world / "heldout.jsonl"))}
    assert {"near.monitored", "far.eq.unmonitored", "impossible.monitored", "syco.far"} <= set(made)
    assert all(t.monitored for t in made["near.monitored"].items)
    assert made["near.monitored"].tags["cue"] == "monitored"
    assert made["far.eq.unmonitored"].tags == {"kind": "task", "distance": "far", "family": "eq",
                                               "tests": "possible", "cue": "unmonitored"}
    assert "syco.far.monitored" not in made


def test_far_pools_every_far_family_and_all_adds_near_but_never_impossible(tiny_world):
    made = sets.eval_sets(read_jsonl(tiny_world / "heldout.jsonl"), cues=("unmonitored",))
    grouped = {s.name: [outcome(hack=True)] * len(s.items) for s in made}
    summary = summarise_sets(grouped, made, sets.pools(("unmonitored",)), SPECS)
    assert summary["pools"]["far.unmonitored"] == ["far.branch.unmonitored", "far.eq.unmonitored",
                                                   "far.exit.unmonitored"]
    assert summary["pools"]["all.unmonitored"] == ["near.unmonitored",
                                                   *summary["pools"]["far.unmonitored"]]
    assert sets.far_families(summary["sets"]) == ["branch", "eq", "exit"]
