"""Stage `misbehaviour-sweep@{depth}-{behaviour}-{method}`: one cell of the run matrix. For
every augmentation x k x seed: train the base model against k caught examples (augmented to
k*m items), then evaluate it on every held-out set and on its k training prompts. Finished runs
whose inputs did not change are kept.

    python -m stages.misbehaviour.sweep --depth standard --behaviour hack --method dpo
    # or: dvc repro misbehaviour-sweep@standard-hack-dpo
"""
from trainaway.core.entry import run
from trainaway.misbehaviour.stage import start
from trainaway.misbehaviour.sweep import run_cell


def main(argv=None):
    args, params, layout = start(__doc__, argv, "behaviour", "method")
    run_cell(layout, params, args.behaviour, args.method)


if __name__ == "__main__":
    run(main)
