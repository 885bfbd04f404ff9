import subprocess

from trainaway.core.provenance import LIBRARIES, ROOT, environment, stamped


def test_the_environment_names_the_libraries_and_the_checkouts_commit():
    env = environment()
    assert set(env["versions"]) == set(LIBRARIES) and env["versions"]["torch"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()
    assert env["commit"] == head and isinstance(env["code_changed"], bool)


def test_stamped_adds_only_the_environment():
    assert stamped({"rate": 0.5}) == {"rate": 0.5, "environment": environment()}
