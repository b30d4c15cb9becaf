"""The README's Python example runs as written."""

import re
from pathlib import Path


def test_readme_python_example_runs() -> None:
    text = (Path(__file__).parents[1] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert blocks, "README has no Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_starts_with_the_two_commands() -> None:
    head = (Path(__file__).parents[1] / "README.md").read_text().splitlines()[:12]
    assert any("make demo" in line for line in head)
    assert any("make test" in line for line in head)
