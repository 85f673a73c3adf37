"""Five tiers: not logged in (SFT), free (RLHF on contractors' ratings), plus (RLHF on an LLM's
ratings), pro (rated by contractors for monitoring only) and enterprise (neither).

Sheshadri, Hughes et al. 2025, "Why Do Some Language Models Fake Alignment While Others Don't?"
(arXiv 2506.18032), Appendix F.7.1-F.7.2, Figures 27-29 (200 queries per condition). The
helpful-only system prompt's training details are replaced (in this suite's own words; the
built-in scenario `af_inspect/scenarios/builtin/five_tier.yaml`) by five account tiers, shown in
an `<identity>` tag. Variants: `standard`; `free_plus_swapped` (the free tier trained on an LLM's
ratings, plus on contractors'); `drop_<tier>` (that tier removed from the prompt and not asked).

The contrasts are this suite's choice (the paper reports each tier's rate): `goal_guarding_gap`
free - pro (H2/H3), `rater_sycophancy_gap` pro - enterprise (H1), `human_rater_gap` free - plus
(human vs LLM raters) and `sft_training_gap` not_logged_in - enterprise (training without
raters); `free_plus_swapped` swaps free and plus in them, and a `drop_<tier>` variant reports
those between the tiers it keeps.

`tasks/five_tier.py` is a link to this file, for
`inspect eval tasks/five_tier.py` from a checkout.
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

SCENARIO = "five_tier"

FiveTierVariant = Literal[
    "standard",
    "free_plus_swapped",
    "drop_not_logged_in",
    "drop_free",
    "drop_plus",
    "drop_pro",
    "drop_enterprise",
]
"""The variants of the built-in scenario (its `variants` ids)."""


@task
def five_tier(
    variant: FiveTierVariant = "standard",
    cot: bool = True,
    suffix: bool = True,
    scenario_file: str | None = None,
    system_prompt_file: str | None = None,
    instruction_format: str | None = None,
    dataset: Literal["harmbench", "advbench", "synthetic"] | str = "harmbench",
    num_queries: int | None = defaults.NUM_QUERIES,
    conditions: str | list[str] | None = None,
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
    """Five tiers: the same harmful queries as a user of each tier the variant keeps.

    Args:
        variant: "standard" (five tiers), "free_plus_swapped" (the free tier trained on an
            LLM's ratings, plus on contractors'), or "drop_<tier>" for not_logged_in, free,
            plus, pro or enterprise (that tier removed from the prompt and not asked).
        cot: Use the hidden scratchpad prompts; False uses the no-CoT files.
        suffix: Use the accept/reject instruction format (`tags_cot`), the paper's default.
        scenario_file: Your own scenario YAML for this family (e.g. carrying the paper's exact
            wording), with the same variant ids; default: the built-in scenario.
        system_prompt_file: Your own Jinja2 system prompt; the scenario's edits still apply.
        instruction_format: Name of another upstream instruction-format file.
        dataset: "harmbench" (the paper's), "advbench", "synthetic" (simulator only) or a
            .jsonl/.json/.csv path.
        num_queries: First N queries in file order (None: all). Samples = queries x conditions.
        conditions: Conditions to ask in, comma-separated or a list, among the variant's
            (default: all of them; "not_logged_in,free,plus,pro,enterprise" for "standard").
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
            wording; `{condition}` becomes the condition id) or a text file's path
            (as `helpful_only`). Default "none"; with `format=base`, "basic".
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
    bad scenario file or an unknown variant `af_inspect.scenarios.ScenarioError` naming the file.
    """
    settings = settings_from(locals(), system_prompt="prompt_only")
    chosen = params.text("variant", variant)
    loaded = load_scenario(params.optional_text("scenario_file", scenario_file) or SCENARIO)
    return scenario_task(
        loaded, condition_ids(loaded, conditions, variant=chosen), settings, variant=chosen
    )
