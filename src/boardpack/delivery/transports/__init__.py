"""Transports share one tiny interface — `send(message) -> Receipt`, `close()` — and one error
vocabulary.

Built-in transports register through the `boardpack.transports` entry point group, as a
third-party one would.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from boardpack.config import Workspace
from boardpack.delivery.transports.base import Transport
from boardpack.errors import WorkspaceError


def open_transport(workspace: Workspace) -> Transport:
    name = workspace.settings.delivery.transport
    found = {ep.name: ep for ep in entry_points(group="boardpack.transports")}
    if name not in found:
        raise WorkspaceError(
            f"delivery.transport = {name!r} is not installed (installed:"
            f" {', '.join(sorted(found))})"
        )
    return found[name].load()(workspace)
