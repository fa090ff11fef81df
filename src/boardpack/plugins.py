"""The plugin registry: the entry points of the installed packages, by group (boardpack.sources,
boardpack.sections, boardpack.transports), built-in and third-party alike.

Reading them scans every installed package's metadata (tens of milliseconds), and a pack asks for
several groups: they are read once for a given import path, again when the path changes (a plugin
put on it)."""

from __future__ import annotations

import sys
from functools import cache
from importlib.metadata import EntryPoint, EntryPoints, entry_points


def registered(group: str) -> list[EntryPoint]:
    """The entry points of `group`, by name."""
    return sorted(installed(tuple(sys.path)).select(group=group), key=lambda ep: ep.name)


@cache
def installed(path: tuple[str, ...]) -> EntryPoints:
    """Every installed package's entry points, as found on `path` (the key of the cache)."""
    return entry_points()
