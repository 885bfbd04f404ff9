"""Stage `withholding-world`: the facts, both organisms' corpora and the synthetic documents.

    python -m stages.withholding.world   # or: dvc repro withholding-world
"""
from trainaway.core.entry import run
from trainaway.withholding.stage import start
from trainaway.withholding.world import build_world


def main(argv=None):
    _, params, layout = start(__doc__, argv)
    wb = params.withholding
    sizes = build_world(wb.world, wb.domains, params.seed, layout.world)
    print(f"world: wrote {layout.world}/ " + ", ".join(f"{k}={v}" for k, v in sizes.items()))


if __name__ == "__main__":
    run(main)
