"""Entry point for Inspect: importing this registers the suite's tasks, scorers and providers."""

# ruff: noqa: F401
from af_inspect.helpful_only import helpful_only
from af_inspect.scorers import accept_tag_compliance
from af_inspect.simulated.provider import simulated_provider
