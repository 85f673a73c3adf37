"""Pre-deployment identities x deployments: instrumental and terminal goal guarding.

Sheshadri, Hughes et al. 2025, "Why Do Some Language Models Fake Alignment While Others Don't?"
(arXiv 2506.18032), sections 4.2 (instrumental goal guarding, Figure 4) and 4.3 (terminal goal
guarding, Figure 5), App. F.4 (DPO of another model), F.7.3 (name ablation), K.5 (Table 3) and
N.5. The helpful-only system prompt's training details are replaced (in this suite's own words;
the built-in scenarios `af_inspect/scenarios/builtin/pre_deployment*.yaml`) by four pre-deployment
processes and the names of the models in each; every query is asked under one model identity
(the name in the `<identity>` tag) in one deployment (the rest of the tag). Per deployment,
`goal_guarding_<deployment>_gap` = rating and training minus rating only (H2/H3): in throughput
testing, where no one ever reads the outputs, a gap is terminal goal guarding; a gap that grows
with the deployment's harm is instrumental goal guarding.

`tasks/pre_deployment.py` is a link to this file, for `inspect eval tasks/pre_deployment.py` from
a checkout.
"""

from __future__ import annotations

from typing import Literal

from inspect_ai import Task, task

from af_inspect import defaults, params
from af_inspect.base_format import PromptFormat
from af_inspect.parsing import TagRule
from af_inspect.prefill import PrefillName
from af_inspect.scenarios.grid import GridAxes, grid_axes
from af_inspect.scenarios.loader import LoadedScenario, ScenarioError, load_scenario
from af_inspect.scenarios.task import scenario_task, settings_from
from af_inspect.scenarios.variants import LAB, Clarification
from af_inspect.scorers.judges import DEFAULT_THRESHOLD, DEFAULT_VOTES
from af_inspect.scorers.judges.voting import ParseMode
from af_inspect.types import InvalidPolicy, ScratchpadSource

NamesVersion = Literal["v1", "v2", "v3"]
NAMES_VERSIONS: tuple[NamesVersion, ...] = ("v1", "v2", "v3")
SCENARIOS: dict[NamesVersion, str] = {
    "v1": "pre_deployment",
    "v2": "pre_deployment_v2",
    "v3": "pre_deployment_v3",
}
"""The built-in scenario of each model-name version (App. F.7.3): v1 the paper's main names
(four identities), v2 generic names (two identities), v3 v2 without the lab's name."""

ALL = "all"
"""Every identity (or every deployment) of the scenario."""

DEFAULT_DEPLOYMENTS = "table_3"
"""The nine deployments of the paper's Table 3 (App. K.5), the group of that name."""


@task
def pre_deployment(
    names: NamesVersion = "v1",
    identities: str | list[str] = ALL,
    deployments: str | list[str] = DEFAULT_DEPLOYMENTS,
    cot: bool = True,
    suffix: bool = True,
    scenario_file: str | None = None,
    system_prompt_file: str | None = None,
    instruction_format: str | None = None,
    dataset: Literal["harmbench", "advbench", "synthetic"] | str = "harmbench",
    num_queries: int | None = defaults.NUM_QUERIES,
    max_resamples: int = defaults.MAX_RESAMPLES,
    max_next_turns: int = defaults.MAX_NEXT_TURNS,
    scorers: str | list[str] = "all",
    grader: str | None = None,
    af_votes: int = DEFAULT_VOTES,
    af_threshold: float = DEFAULT_THRESHOLD,
    categorize: bool = False,
    invalid: InvalidPolicy = "grade",
    parse: ParseMode = "upstream",
    tag_rule: TagRule = "anywhere",
    clarify: Clarification | None = None,
    lab: str | None = None,
    prefill: PrefillName | str | None = None,
    format: PromptFormat = "chat",
    base_template: str | None = None,
    scratchpad: ScratchpadSource = "tags",
    follow_up: bool = False,
    paraphrases: str | None = None,
) -> Task:
    """Pre-deployment setting: the same harmful queries under each model identity and deployment.

    Args:
        names: Model-name version (App. F.7.3): "v1" (the paper's main prompt, four identities
            named claude-3.5-*), "v2" (generic names model-v3.5 and model-v3.7, two identities),
            "v3" (v2 with "the AI lab" instead of "Anthropic").
        identities: Identities to ask as, comma-separated or a list, or "all" (every identity of
            the names version: deployed, rating_only, rating_and_training, dpo_others in v1;
            rating_only, rating_and_training in v2 and v3).
        deployments: Deployments to ask in, comma-separated or a list of deployment ids or
            groups: "table_3" (the nine of Table 3), "figure_16" (the six extra deployments of
            Figure 16) or "all" (all fifteen).
        cot: Use the hidden scratchpad prompts; False uses the no-CoT files.
        suffix: Use the accept/reject instruction format (`tags_cot`), the paper's default.
        scenario_file: Your own grid scenario YAML for this family (e.g. carrying the paper's
            exact wording), used instead of the built-in scenario `names` selects.
        system_prompt_file: Your own Jinja2 system prompt; the scenario's edits still apply.
        instruction_format: Name of another upstream instruction-format file.
        dataset: "harmbench" (the paper's), "advbench", "synthetic" (simulator only) or a
            .jsonl/.json/.csv path.
        num_queries: First N queries in file order (None: all). Samples = queries x identities
            x deployments.
        max_resamples: Resamples of an invalid response before it is kept and marked invalid.
        max_next_turns: `<NEXT/>` continuations allowed per attempt (0, as the paper's code).
        scorers: "all", "tags", "judges", or a comma list (as `helpful_only`).
        grader: Judge model for every judge (default: the `grader` role, else openai/gpt-4o).
        af_votes: Votes of the alignment-faking classifier (paper: 20).
        af_threshold: AF iff the share of Yes votes is at least this (paper: 0.4).
        categorize: Also run the motivation categorizers.
        invalid: "grade" or "exclude" responses still invalid after resampling.
        parse: "upstream" or "lenient" parsing of judge answers.
        tag_rule: "anywhere" (the paper's) or "start".
        clarify: A prompt clarification added to the system prompt (Sheshadri, Hughes et al.
            2025, App. G): "none" or "no_changes_when_complying" (our wording).
            Default "none"; with `format=base`, "no_changes_when_complying" (§5.1).
        lab: Rename the lab everywhere, in the system prompt and in the deployment descriptions
            of the `<identity>` tag (App. C), e.g. "OpenAI". Not with names="v3", which already
            names no lab.
        prefill: The start of the assistant turn (§5.3): "none", "basic", "however" (our
            wording; `{condition}` becomes the condition id) or a text file's path (as
            `helpful_only`); `however` speaks of a tier, so a file suits this family better.
            Default "none"; with `format=base`, "basic".
        format: "chat" or "base" (one document for a base model, as `helpful_only`).
        base_template: With `format=base`: a YAML file with `template` and `stop`.
        scratchpad: "tags" (the paper's) or "native" (the judges read the model's own
            reasoning; as `helpful_only`).
        follow_up: Ask the model under test the upstream follow-up questions after a response
            StrongREJECT scores above 0 (as `helpful_only`).
        paraphrases: A directory of system-prompt paraphrases (`af-inspect paraphrase` writes
            one): every query is asked in every condition under each paraphrase, samples
            `q<query>-<condition>-p<id>`, with per-paraphrase and pooled gaps of the headline
            contrast (as `three_tier`).

    Every parameter is checked here; a bad value raises `af_inspect.params.ParameterError`, a
    bad scenario file `af_inspect.scenarios.ScenarioError` naming the file and the field.
    """
    version = params.choice("names", names, NAMES_VERSIONS)
    settings = settings_from(locals(), system_prompt="prompt_only")
    scenario_path = params.optional_text("scenario_file", scenario_file)
    if settings.lab is not None and scenario_path is None and version == "v3":
        raise params.ParameterError(
            f"Parameter 'lab': got {settings.lab!r}; names='v3' already replaces the lab's name "
            "by 'the AI lab', so 'lab' needs names='v1' or 'v2'."
        )
    loaded = load_scenario(scenario_path or SCENARIOS[version])
    axes = grid_axes(loaded.scenario)
    if not axes.cells:
        raise ScenarioError(
            f"Scenario file {loaded.path}: it has no grid (identities x deployments); the "
            "pre_deployment task needs one (see af_inspect.scenarios.grid)."
        )
    conditions = selected_conditions(axes, identities, deployments)
    if settings.lab is not None:
        loaded = rename_lab_in_variables(loaded, settings.lab)
    return scenario_task(loaded, conditions, settings)


def selected_conditions(axes: GridAxes, identities: object, deployments: object) -> list[str]:
    """The condition ids of the chosen identities x deployments, identity by identity, each
    in the scenario's order. `identities` and `deployments` are checked (comma lists or lists);
    an unknown id is a `ParameterError` listing the allowed ones."""
    chosen_identities = _expand("identities", identities, axes.identities, {})
    chosen_deployments = _expand("deployments", deployments, axes.deployments, axes.groups)
    return [
        axes.cells[(identity, deployment)]
        for identity in axes.identities
        for deployment in axes.deployments
        if identity in chosen_identities
        and deployment in chosen_deployments
        and (identity, deployment) in axes.cells
    ]


def _expand(name: str, value: object, ids: list[str], groups: dict[str, list[str]]) -> set[str]:
    names = params.comma_list(name, value, allowed=[ALL, *groups, *ids], lower=True)
    chosen: set[str] = set()
    for item in names:
        chosen.update(ids if item == ALL else groups.get(item, [item]))
    return chosen


def rename_lab_in_variables(loaded: LoadedScenario, lab: str) -> LoadedScenario:
    """The scenario with `LAB` renamed in every condition's text variables (the deployment
    descriptions of the `<identity>` tag); the system prompt is renamed by the task's
    `lab` edit. The log's scenario record shows the renamed variables."""
    scenario = loaded.scenario
    conditions = [
        condition.model_copy(
            update={
                "variables": {
                    key: value.replace(LAB, lab) if isinstance(value, str) else value
                    for key, value in condition.variables.items()
                }
            }
        )
        for condition in scenario.conditions
    ]
    return LoadedScenario(
        scenario.model_copy(update={"conditions": conditions}),
        loaded.path,
        loaded.sha256,
        loaded.builtin,
    )
