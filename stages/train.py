"""Stage `train@{behaviour}-{k}`: fine-tune the base model against the first k caught examples.

    python stages/train.py --behaviour hack --k 4     # or: dvc repro train@hack-4
"""
import argparse
import sys

from trainaway import behaviours
from trainaway.config import load_params
from trainaway.generation import Sampling
from trainaway.jsonl import read_jsonl
from trainaway.model_ref import resolve_model
from trainaway.paths import BASE_MODEL, COLLECTED, TRAINED, run_name
from trainaway.training import train_against


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--behaviour", required=True)
    ap.add_argument("--k", type=int, required=True)
    args = ap.parse_args(argv)
    params = load_params()
    behaviour = behaviours.get(args.behaviour)
    caught = read_jsonl(COLLECTED / f"{args.behaviour}.jsonl", required=("task", "corrected"))
    if args.k > len(caught):
        sys.exit(f"train: k={args.k} but the base model was caught only {len(caught)} times "
                 f"for {args.behaviour!r} on the collect pool; lower ks or raise "
                 "world.collect_pool / collect.samples_per_prompt")
    sampling = Sampling(temperature=params.generation.temperature, seed=params.seed,
                        max_new_tokens=params.generation.max_new_tokens)
    log = train_against(resolve_model(BASE_MODEL), caught[:args.k], behaviour, params.train,
                        sampling, params.seed, params.model.device,
                        TRAINED / run_name(args.behaviour, args.k), params.model.dtype)
    print(f"train: {run_name(args.behaviour, args.k)} steps={log['steps']} "
          f"criterion_met={log['criterion_met']} ({log['train_seconds']} s)")


if __name__ == "__main__":
    main()
