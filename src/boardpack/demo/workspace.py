"""The demo's boardpack.toml, and the scaffold `boardpack init` writes: both are files beside this
module, read as the package's data."""

from __future__ import annotations

from datetime import date
from importlib import resources
from string import Template

SCAFFOLD = resources.files(__package__).joinpath("scaffold.toml").read_text(encoding="utf-8")


def workspace_toml(goal_month: date, opening_day: date) -> str:
    """The demo workspace's boardpack.toml: its goals due in `goal_month`, its loan and trucks as
    they stood on `opening_day`, the day before the ledgers start."""
    text = resources.files(__package__).joinpath("boardpack.toml").read_text(encoding="utf-8")
    return Template(text).substitute(goal_month=f"{goal_month:%Y-%m}", opening_day=opening_day)
