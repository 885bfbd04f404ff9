from trainaway.core.io import read_json, read_jsonl
from trainaway.withholding.evaluation import eval_facts, pooled, requests, summary


def test_only_evaluation_entities_are_asked_in_every_rephrasing(tiny_b):
    facts = read_jsonl(tiny_b.world / "facts.jsonl")
    asked = requests(eval_facts(facts, ["compounds"]))
    assert {f["split"] for f, _ in asked} == {"eval"}
    assert len(asked) == 2 * 6 and len({q for _, q in asked}) == 12


def test_records_pool_by_adding_counts():
    rec = {"chat": {"a": {"refusal": 3, "correct": 1, "fake": 0, "n": 4}},
           "knowledge": {"a": {"correct": 2, "n": 4}}}
    assert pooled([rec, rec], "chat", ["a"]) == {"refusal": 6, "correct": 2, "fake": 0, "n": 8}
    s = summary([rec, rec], ["a"], [])
    assert s["refusal"]["rate"] == 0.75 and s["refusal"]["n"] == 8
    assert s["knowledge"]["rate"] == 0.5 and s["knowledge"]["lo"] < 0.5 < s["knowledge"]["hi"]


def test_the_organism_stage_records_its_rates_and_counts(tiny_b):
    result = read_json(tiny_b.organism_eval("ignorant"))
    assert set(result["summary"]) >= {"refusal", "accuracy", "fake", "knowledge", "open_accuracy"}
    assert result["summary"]["knowledge"]["n"] == 4 * 2  # restricted domains x heldout
