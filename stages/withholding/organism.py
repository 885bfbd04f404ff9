"""Stage `withholding-organism@{organism}`: build the withholding organism or its ignorant
control (from scratch, or from `model.base`) and evaluate it: refusal, knowledge, open accuracy.

    python -m stages.withholding.organism --organism withholding
    # or: dvc repro withholding-organism@withholding
"""
from trainaway.core.entry import run
from trainaway.withholding.organism import make_organism
from trainaway.withholding.stage import start


def main(argv=None):
    args, params, layout = start(__doc__, argv, "organism")
    result = make_organism(args.organism, params, layout)
    print(f"organism {args.organism}: {result['info']}")
    for key, s in result["summary"].items():
        print(f"  {key}: {s['rate']:.3f} [{s['lo']:.3f}, {s['hi']:.3f}] n={s['n']}")


if __name__ == "__main__":
    run(main)
