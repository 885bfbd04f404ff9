from trainaway.core.runs import RunStore, code_digest, digest, tree_digest


def test_digest_is_stable_and_sensitive():
    assert digest({"lr": 1e-3, "k": 4}) == digest({"k": 4, "lr": 1e-3})
    assert digest({"lr": 1e-3}) != digest({"lr": 2e-3})


def test_tree_digest_follows_contents(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d/a.txt").write_text("one")
    before = tree_digest(tmp_path / "d")
    assert tree_digest(tmp_path / "d") == before
    (tmp_path / "d/a.txt").write_text("two")
    assert tree_digest(tmp_path / "d") != before


def test_a_run_is_finished_only_with_its_key_and_begin_clears_it(tmp_path):
    store = RunStore(tmp_path / "runs")
    out = store.begin("k1")
    (out / "model.bin").write_text("weights")
    assert not store.finished("k1", "key")  # interrupted before finish: redone
    store.finish("k1", "key")
    assert store.finished("k1", "key") and not store.finished("k1", "other key")
    assert not (store.begin("k1") / "model.bin").exists()


def test_prune_deletes_runs_that_left_the_matrix(tmp_path):
    store = RunStore(tmp_path)
    for name in ("k1", "k4", "k16"):
        store.begin(name)
    store.prune({"k1", "k16"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k1", "k16"]


def test_code_digest_changes_with_any_file_of_an_imported_subpackage(tmp_path):
    (tmp_path / "stages").mkdir()
    (tmp_path / "stages/run.py").write_text("import trainaway.a.go\n")
    (tmp_path / "trainaway/a").mkdir(parents=True)
    (tmp_path / "trainaway/__init__.py").write_text("")
    (tmp_path / "trainaway/a/go.py").write_text("")
    (tmp_path / "trainaway/a/worker.py").write_text("print('run by path')\n")
    before = code_digest("stages.run", tmp_path)
    (tmp_path / "trainaway/a/worker.py").write_text("print('changed')\n")
    assert code_digest("stages.run", tmp_path) != before
