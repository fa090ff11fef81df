"""YAML read as plain data: PyYAML's safe loader, without anchors and aliases (an alias lets a short
file expand into a huge one: "billion laughs"), and nested at most `MAX_DEPTH` deep (the composer
recurses, so deeper would end in a RecursionError). Front matter and lock files never need more.
"""

from __future__ import annotations

from functools import cache

MAX_DEPTH = 100


@cache
def plain_loader():
    """(the yaml module, a SafeLoader narrowed as above), made on first use: the library loads only
    when a workspace has YAML to read."""
    import yaml

    class PlainLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    "anchors and aliases (&name, *name) are not allowed: write the value out",
                    event.start_mark,
                )
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise yaml.composer.ComposerError(
                        None, None, f"nested more than {MAX_DEPTH} deep", event.start_mark
                    )
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return yaml, PlainLoader


def load(text: str):
    """The document as plain data; `yaml.YAMLError` (with its line) when it is not."""
    yaml, loader = plain_loader()
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader, narrowed
