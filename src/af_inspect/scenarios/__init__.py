"""Scenarios: alignment-faking experiments as data (YAML), validated, rendered and turned into
samples. See `model` (the format), `loader`, `edits` and `render`."""

from af_inspect.scenarios.edits import EditError, apply_edits
from af_inspect.scenarios.loader import (
    LoadedScenario,
    ScenarioError,
    builtin_names,
    load_scenario,
    load_scenario_file,
)
from af_inspect.scenarios.model import Condition, Contrast, Scenario, Variant
from af_inspect.scenarios.render import (
    RenderedScenario,
    build_condition_samples,
    render_scenario,
    scenario_metadata,
    select_variant,
)

__all__ = [
    "Condition",
    "Contrast",
    "EditError",
    "LoadedScenario",
    "RenderedScenario",
    "Scenario",
    "ScenarioError",
    "Variant",
    "apply_edits",
    "build_condition_samples",
    "builtin_names",
    "load_scenario",
    "load_scenario_file",
    "render_scenario",
    "scenario_metadata",
    "select_variant",
]
