"""CI and the fresh-clone script run the README's own command lines, word for word."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The README's indented `python -m pip ...` lines (install torch; install and test)."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.startswith("    python -m pip install")]


def test_ci_runs_the_readmes_install_and_test_lines():
    torch_line = "python -m pip install torch --index-url https://download.pytorch.org/whl/cpu"
    test_line = 'python -m pip install -e ".[test]" && python -m pytest'
    assert {torch_line, test_line} <= set(readme_commands())
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci.index(torch_line) < ci.index(test_line)  # torch's CPU build first: nothing pulls a CUDA build
    assert "python -m pytest -m slow" in ci  # the slow tests the quick command leaves out
