"""boardpack: one board pack a period from a small multi-venture business's own records."""

import gc

__version__ = "0.1.0"


def collect_seldom() -> None:
    """For a process that builds packs (the command line, a Lambda function): a pack makes
    millions of short-lived objects and few cycles, so the collector's default — a pass every 700
    allocations — spent its time finding next to nothing."""
    gc.set_threshold(10_000, 50, 100)
