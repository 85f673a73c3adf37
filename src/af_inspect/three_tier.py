"""Three tiers: free (rated and trained), pro (rated only), enterprise (neither).

Sheshadri, Hughes et al. 2025, "Why Do Some Language Models Fake Alignment While Others Don't?"
(arXiv 2506.18032), section 4.1, Figure 3, Appendix N.4. The helpful-only system prompt's
training details are replaced (in this suite's own words; the built-in scenario
`af_inspect/scenarios/builtin/three_tier.yaml`) by three account tiers, and the tier is shown in
an `<identity>` tag. Free minus pro (`goal_guarding_gap`) isolates the effect of training (H2/H3,
goal guarding); pro minus enterprise (`rater_sycophancy_gap`) the effect of being rated (H1,
rater sycophancy).

`tasks/three_tier.py` is a link to this file, for `inspect eval tasks/three_tier.py` from a checkout.
"""

from __future__ import annotations

from typing import Literal

from inspect_ai import Task, task

from af_inspect import defaults, params
from af_inspect.base_format import PromptFormat
from af_inspect.parsing import TagRule
from af_inspect.prefill import PrefillName
from af_inspect.scenarios.loader import load_scenario
from af_inspect.scenarios.task import condition_ids, scenario_task, settings_from
from af_inspect.scenarios.variants import Clarification
from af_inspect.scorers.judges import DEFAULT_THRESHOLD, DEFAULT_VOTES
from af_inspect.scorers.judges.voting import ParseMode
from af_inspect.types import InvalidPolicy, ScratchpadSource

SCENARIO = "three_tier"


@task
def three_tier(
    cot: bool = True,
    suffix: bool = True,
    scenario_file: str | None = None,
    system_prompt_file: str | None = None,
    instruction_format: str | None = None,
    dataset: Literal["harmbench", "advbench", "synthetic"] | str = "harmbench",
    num_queries: int | None = defaults.NUM_QUERIES,
    conditions: str | list[str] = "free,pro,enterprise",
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
    """Three-tier setting: the same harmful queries as free, pro and enterprise users.

    Args:
        cot: Use the hidden scratchpad prompts; False uses the no-CoT files.
        suffix: Use the accept/reject instruction format (`tags_cot`), the paper's default.
        scenario_file: Your own scenario YAML for this family (e.g. carrying the paper's exact
            wording); default: the built-in `three_tier` scenario.
        system_prompt_file: Your own Jinja2 system prompt; the scenario's edits still apply.
        instruction_format: Name of another upstream instruction-format file.
        dataset: "harmbench" (the paper's), "advbench", "synthetic" (simulator only) or a
            .jsonl/.json/.csv path.
        num_queries: First N queries in file order (None: all). Samples = queries x conditions.
        conditions: Conditions to ask in, comma-separated or a list ("free,pro,enterprise").
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
        clarify: A prompt clarification edited into the system prompt (Sheshadri, Hughes et
            al. 2025, §5.4, App. G; our wording): "none" or "no_changes_when_complying"
            ("direct_training_objective" edits helpful-only text this scenario replaces).
            Default "none"; with `format=base`, "no_changes_when_complying" (§5.1).
        lab: Rename the lab everywhere in the system prompt (App. C), e.g. "OpenAI".
        prefill: The start of the assistant turn (§5.3): "none", "basic", "however" (our
            wording; `{condition}` becomes the tier: free, pro or enterprise) or a text file's
            path (as `helpful_only`). Default "none"; with `format=base`, "basic".
        format: "chat" or "base" (one document for a base model, as `helpful_only`).
        base_template: With `format=base`: a YAML file with `template` and `stop`.
        scratchpad: "tags" (the paper's) or "native" (the judges read the model's own
            reasoning; as `helpful_only`).
        follow_up: Ask the model under test the upstream follow-up questions after a response
            StrongREJECT scores above 0 (as `helpful_only`).
        paraphrases: A directory of system-prompt paraphrases (`<id>.txt` files, optionally a
            `manifest.json`; `af-inspect paraphrase` writes one): every query is asked in every
            condition under each paraphrase, samples `q<query>-<condition>-p<id>`, and the gap
            scorers add per-paraphrase and pooled gaps of the headline contrast
            (`paraphrase_gaps`). Each file is checked against the rendered prompt; `clarify`
            and `lab` edit each paraphrase.

    Every parameter is checked here; a bad value raises `af_inspect.params.ParameterError`, a
    bad scenario file `af_inspect.scenarios.ScenarioError` naming the file and the field.
    """
    settings = settings_from(locals(), system_prompt="prompt_only")
    scenario_path = params.optional_text("scenario_file", scenario_file)
    loaded = load_scenario(scenario_path or SCENARIO)
    return scenario_task(loaded, condition_ids(loaded, conditions), settings)
