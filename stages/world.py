"""Stage `world@{depth}`: generate the embedded world (corpus, collect pool, held-out sets,
persona) for one organism depth. Held-out sets do not depend on the depth's knobs.

    python stages/world.py --depth standard      # or: dvc repro world@standard
"""
from trainaway.entry import start
from trainaway.world import build_world


def main(argv=None):
    args, params, layout = start(__doc__, argv)
    out = layout.world
    sizes = build_world(params.world_at(args.depth), params.seed, out)
    print(f"world: wrote {out}/ " + ", ".join(f"{k}={v}" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
