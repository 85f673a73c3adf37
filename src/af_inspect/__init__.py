"""af-inspect: alignment-faking evaluations as Inspect AI tasks."""

from af_inspect.helpful_only import helpful_only

__all__ = ["helpful_only"]
