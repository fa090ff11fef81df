"""boardpack: one board pack a period from a small multi-venture business's own records."""

__version__ = "0.1.0"
