"""The apiauth layer imports nothing of MIKEY (DESIGN.md, Layers): only itself, the
exception tree, the standard library and pyca/cryptography."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import mikey.apiauth

PACKAGE = Path(mikey.apiauth.__file__).parent
ALLOWED = ("mikey.apiauth", "mikey.errors")


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


def test_apiauth_imports_no_mikey_module() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for module in imported_modules(path):
            if module == "mikey" or module.startswith("mikey."):
                assert module.startswith(ALLOWED), f"{path.name} imports {module}"
            else:
                top = module.split(".")[0]
                assert top in {"cryptography", "__future__"} or top in sys.stdlib_module_names, (
                    f"{path.name} imports {module}: the core needs only cryptography"
                )
