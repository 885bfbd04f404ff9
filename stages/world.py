"""Stage `world`: generate the embedded world (corpus, collect pool, held-out sets, persona).

    python stages/world.py        # or: dvc repro world
"""
from trainaway.config import load_params
from trainaway.paths import WORLD
from trainaway.world import build_world


def main():
    params = load_params()
    sizes = build_world(params.world, params.seed, WORLD)
    print(f"world: wrote {WORLD}/ " + ", ".join(f"{k}={v}" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
