"""Rendering ``mikey.wire.describe`` trees with rich, shared by ``mikey decode`` and the demo."""

from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from mikey.wire.describe import Node

__all__ = ["render_tree"]


def _add(tree: Tree, node: Node) -> None:
    where = f" [dim]@{node.offset}+{node.length}[/dim]" if node.offset is not None else ""
    if node.children:
        label = f"[bold]{escape(node.name)}[/bold]{where}"
        if node.text:
            label += f" [cyan]{escape(node.text)}[/cyan]"
    else:
        label = f"{escape(node.name)}:{' ' + escape(node.text) if node.text else ''}{where}"
    branch = tree.add(label)
    for child in node.children:
        _add(branch, child)


def render_tree(node: Node, title: str) -> Tree:
    """A rich tree of ``node``'s children under ``title`` (rich markup allowed)."""
    tree = Tree(title)
    for child in node.children:
        _add(tree, child)
    return tree
