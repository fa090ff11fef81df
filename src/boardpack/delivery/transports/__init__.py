"""Transports share one tiny interface — `send(message) -> Receipt`, `close()` — and one error
vocabulary.

Built-in transports register through the `boardpack.transports` entry point group, as a
third-party one would.
"""

from __future__ import annotations

from boardpack.config import Workspace
from boardpack.delivery.transports.base import Transport
from boardpack.errors import WorkspaceError
from boardpack.plugins import registered


def open_transport(workspace: Workspace) -> Transport:
    name = workspace.settings.delivery.transport
    found = {ep.name: ep for ep in registered("boardpack.transports")}
    if name not in found:
        raise WorkspaceError(
            f"delivery.transport = {name!r} is not installed (installed:"
            f" {', '.join(sorted(found))})"
        )
    return found[name].load()(workspace)
