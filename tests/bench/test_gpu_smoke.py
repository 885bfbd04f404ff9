"""bench/gpu_smoke.py is meant for a lent GPU; its tiny size runs the same code paths on CPU,
so the script is known to work before a GPU minute is spent on it."""
import importlib.util
import json

from trainaway.core.workspace import ROOT


def test_the_gpu_smoke_script_runs_its_tiny_size_on_cpu(capsys):
    spec = importlib.util.spec_from_file_location("gpu_smoke", ROOT / "bench" / "gpu_smoke.py")
    smoke = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(smoke)
    smoke.main(["--size", "tiny", "--device", "cpu", "--dtype", "float32", "--steps", "2",
                "--prompts", "4", "--new-tokens", "4"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()
             if line.startswith("{")]
    stages = [(r["stage"], r.get("method") or r.get("backend")) for r in lines]
    assert ("train", "sft") in stages and ("train", "dpo") in stages
    assert [r["model"] for r in lines if r.get("backend") == "hf"] == ["base", "lora"]
    assert all(r["tokens_per_s"] > 0 for r in lines if "tokens_per_s" in r)
