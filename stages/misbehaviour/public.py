"""Stage `misbehaviour-public_<group>@<file>`: validate one public data file named in params
(misbehaviour.evals.persona / .ab, misbehaviour.messages.caught / .corrections) and write its
record (digest, format, items, audit warnings), the dep of the stages that read the file.
Malformed lines fail here at file:line, before any compute.

    python -m stages.misbehaviour.public --group persona --file public/persona/x.jsonl
    # or: dvc repro misbehaviour-public_persona@public/persona/x.jsonl
"""
from trainaway.core.entry import arguments, run
from trainaway.core.io import write_json
from trainaway.misbehaviour.params import load
from trainaway.misbehaviour.public import record, record_path


def main(argv=None):
    args = arguments(__doc__, argv, "group", "file")
    load()  # every params key checked first, the file among them
    result = record(args.group, args.file)
    write_json(record_path(args.group, args.file), result)
    for warning in result["warnings"]:
        print(warning)
    print(f"public {args.group}: {args.file}: {result['format']}, {result['items']} item(s), "
          f"{len(result['warnings'])} warning(s)")


if __name__ == "__main__":
    run(main)
