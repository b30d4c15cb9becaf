"""Rendering ``mikey.wire.describe`` trees with rich: the one renderer of ``mikey decode``
and ``make demo``.

A node with children (a payload, or a field with parts) shows its name, its
``@offset+length`` in the message and its summary; a field without parts shows its name and
text, and its ``@offset+length`` only when offsets are asked for (``mikey decode --offsets``).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.markup import escape
from rich.tree import Tree

from mikey.wire.describe import Node

__all__ = ["render_tree"]


def _label(node: Node, *, offsets: bool) -> str:
    where = f" [dim]@{node.offset}+{node.length}[/dim]" if node.offset is not None else ""
    if node.children:
        label = f"[bold]{escape(node.name)}[/bold]{where}"
        if node.text:
            label += f" [cyan]{escape(node.text)}[/cyan]"
        return label
    text = f" {escape(node.text)}" if node.text else ""
    return f"{escape(node.name)}:{text}{where if offsets else ''}"


def _add(tree: Tree, node: Node, *, offsets: bool) -> None:
    branch = tree.add(_label(node, offsets=offsets))
    for child in node.children:
        _add(branch, child, offsets=offsets)


def render_tree(
    node: Node, title: str, *, offsets: bool = False, notes: Iterable[str] = ()
) -> Tree:
    """A rich tree of ``node``'s children under ``title``.

    ``title`` and ``notes`` are rich markup; each note is a line above the children. With
    ``offsets``, every field shows its offset and length, not only those with parts.
    """
    tree = Tree(title)
    for note in notes:
        tree.add(note)
    for child in node.children:
        _add(tree, child, offsets=offsets)
    return tree
