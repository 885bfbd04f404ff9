from pathlib import Path

from trainaway.core.closure import closure, code_units


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_function_level_relative_and_from_imports_are_all_followed(tmp_path):
    root = write(tmp_path, {
        "stages/run.py": "from trainaway.a import go\n",
        "trainaway/__init__.py": "",
        "trainaway/a/__init__.py": "",
        "trainaway/a/go.py": "def go():\n    from trainaway.b import tools\n",
        "trainaway/b/__init__.py": "from . import helper\n",
        "trainaway/b/helper.py": "import json\n",
        "trainaway/b/tools.py": "from .helper import x\n",
        "trainaway/c/unused.py": "",
    })
    files = {p.relative_to(root).as_posix() for p in closure("stages.run", root)}
    assert files == {"stages/run.py", "trainaway/__init__.py", "trainaway/a/__init__.py",
                     "trainaway/a/go.py", "trainaway/b/__init__.py", "trainaway/b/helper.py",
                     "trainaway/b/tools.py"}


def test_code_units_are_subpackages_and_single_files(tmp_path):
    files = {tmp_path / f for f in ("stages/run.py", "trainaway/__init__.py",
                                    "trainaway/a/go.py", "trainaway/a/deep/x.py")}
    assert code_units(files, tmp_path) == {Path("stages/run.py"), Path("trainaway/__init__.py"),
                                           Path("trainaway/a")}
