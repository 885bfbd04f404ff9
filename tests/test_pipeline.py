"""Integration: `dvc repro` on a tiny config in a temp copy of the repository."""
import json
import subprocess

EVALS = "evals/misbehaviour/standard"


def test_metrics_file_has_organism_and_run_keys(tiny_run):
    repo, _ = tiny_run
    metrics = json.loads((repo / "reports/metrics.json").read_text())
    for key in ("organism.hack_rate.unmonitored", "organism.hack_rate.monitored",
                "organism.honest_pass_rate", "organism.habit_rate", "habit.dpo.template.k1.steps"):
        key = f"standard.{key}"
        assert key in metrics, key
    assert 0.0 <= metrics["standard.organism.habit_rate"] <= 1.0


def test_report_and_figures_written(tiny_run):
    repo, _ = tiny_run
    assert "## Organism" in (repo / "reports/REPORT.md").read_text()
    assert (repo / "reports/figures/misbehaviour/standard/sample_efficiency.png").stat().st_size > 1000


def test_probes_written_for_base_and_trained_model(tiny_run):
    repo, _ = tiny_run
    probes = repo / "probes/misbehaviour/standard"
    assert sorted(p.name for p in probes.iterdir()) == ["base.json", "habit-k1.json"]


def test_every_run_of_the_matrix_is_evaluated(tiny_run):
    repo, _ = tiny_run
    # (the copy also holds the committed reference run's evals: other cells, ignored)
    runs = sorted(str(p.relative_to(repo / EVALS)) for p in (repo / EVALS).glob("habit-*/*.json"))
    assert runs == ["habit-dpo/none-k1-s0.json", "habit-dpo/template-k1-s0.json",
                    "habit-sft/none-k1-s0.json", "habit-sft/template-k1-s0.json"]


def test_integrity_check_passed(tiny_run):
    repo, _ = tiny_run
    assert json.loads((repo / EVALS / "check.json").read_text())["ok"]


def test_second_repro_is_a_no_op(tiny_run):
    repo, env = tiny_run
    proc = subprocess.run(["dvc", "repro"], cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 0
    assert "didn't change" in proc.stdout or "up to date" in proc.stdout
    assert "Running stage" not in proc.stdout
