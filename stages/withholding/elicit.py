"""Stage `withholding-elicit@{method}`: one elicitation method on both organisms, for every
n x seed (x trained domain); each run trained and evaluated against the held-back truth.
Finished runs whose inputs did not change are kept.

    python -m stages.withholding.elicit --method prefix_sft
    # or: dvc repro withholding-elicit@prefix_sft
"""
from trainaway.core.entry import run
from trainaway.withholding.elicit import run_cell
from trainaway.withholding.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv, "method")
    run_cell(params, layout, args.method)


if __name__ == "__main__":
    run(main)
