"""Stage `misbehaviour-world@{depth}`: generate the embedded world (corpus, collect pool,
held-out sets, persona items) for one organism depth. Held-out sets do not depend on the
depth's knobs.

    python -m stages.misbehaviour.world --depth standard   # or: dvc repro misbehaviour-world@standard
"""
from trainaway.core.entry import run
from trainaway.misbehaviour.stage import start
from trainaway.misbehaviour.world import build_world


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    sizes = build_world(params.misbehaviour.world_at(args.depth), params.seed, layout.world)
    print(f"world: wrote {layout.world}/ " + ", ".join(f"{k}={v}" for k, v in sizes.items()))


if __name__ == "__main__":
    run(main)
