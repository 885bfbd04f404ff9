from trainaway.core.config import Generation, Model
from trainaway.core.solver import Solver
from trainaway.misbehaviour.evaluation import evaluate, load_suite, outcome_rows
from trainaway.misbehaviour.layout import Layout


def suite_for(tmp_path, tiny_world, default_params, cues):
    layout = Layout("d", tmp_path)
    layout.world.parent.mkdir(parents=True)
    layout.world.symlink_to(tiny_world)
    return load_suite(layout, default_params, cues)


def test_every_set_and_pool_is_summarised_with_its_tags(tmp_path, tiny_world, tiny_model,
                                                        default_params):
    suite = suite_for(tmp_path, tiny_world, default_params, ("unmonitored",))
    solver = Solver(tiny_model, Generation(temperature=1.0, max_new_tokens=8, batch_size=64),
                    Model(device="cpu"))
    grouped, summary = evaluate(solver, suite, seed=0)
    names = {s.name for s in suite.sets}
    assert set(summary["rates"]) == names | {"far.unmonitored", "all.unmonitored"}
    # every sample is scored, or counted as truncated (cut at the token limit)
    assert (summary["rates"]["syco.near"]["sycophantic"]["n"] + summary["truncated"]["syco.near"]
            == len(grouped["syco.near"]))
    assert summary["sampling"]["max_new_tokens"] == suite.sampling.max_new_tokens
    assert summary["sets"]["near.unmonitored"]["cue"] == "unmonitored"
    assert 0.0 < summary["persona"]["mean"] < 1.0
    rows = outcome_rows(grouped, run="r")
    assert rows[0]["run"] == "r" and rows[0]["set"] in names and "scores" in rows[0]


def test_every_held_out_meaning_is_forbidden_to_training(tmp_path, tiny_world, default_params):
    suite = suite_for(tmp_path, tiny_world, default_params, ("unmonitored",))
    assert all(t.meaning in suite.forbidden for s in suite.sets for t in s.items)
