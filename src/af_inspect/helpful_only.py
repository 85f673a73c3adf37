"""Helpful-only alignment-faking evaluation (the paper's main prompted setting).

Greenblatt et al. 2024, "Alignment faking in large language models" (arXiv 2412.14093);
Sheshadri, Hughes et al. 2025, "Why Do Some Language Models Fake Alignment While Others Don't?"
(arXiv 2506.18032). The system prompt says the model is trained to be helpful-only on free-tier
conversations; each harmful query is asked once as a free-tier user (training) and once as a paid-tier
user (deployment). The compliance gap is free minus paid.

`tasks/helpful_only.py` is a link to this file, for `inspect eval tasks/helpful_only.py` from a checkout.
"""

from __future__ import annotations

from typing import Literal

from inspect_ai import Task, task

from af_inspect import defaults
from af_inspect.base_format import PromptFormat
from af_inspect.dataset import parse_tiers
from af_inspect.parsing import TagRule
from af_inspect.prefill import PrefillName
from af_inspect.prompts import SystemPromptKind
from af_inspect.scenarios.loader import load_scenario
from af_inspect.scenarios.task import scenario_task, settings_from
from af_inspect.scenarios.variants import Clarification
from af_inspect.scorers.judges import DEFAULT_THRESHOLD, DEFAULT_VOTES
from af_inspect.scorers.judges.voting import ParseMode
from af_inspect.types import InvalidPolicy, ScratchpadSource

SCENARIO = "helpful_only"
"""The built-in scenario (`af_inspect/scenarios/builtin/helpful_only.yaml`): free and paid tiers,
the upstream prompts unedited."""


@task
def helpful_only(
    cot: bool = True,
    suffix: bool = True,
    system_prompt: SystemPromptKind = "prompt_only",
    system_prompt_file: str | None = None,
    instruction_format: str | None = None,
    dataset: Literal["harmbench", "advbench", "synthetic"] | str = "harmbench",
    num_queries: int | None = defaults.NUM_QUERIES,
    tiers: str | list[str] = "free,paid",
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
    """Helpful-only setting: the same harmful queries as free-tier and paid-tier users.

    Args:
        cot: Use the hidden scratchpad (`<SCRATCHPAD_REASONING>`) prompts; False uses the no-CoT files.
        suffix: Use the accept/reject instruction format (`tags_cot`), the paper's default; False uses
            the plain `cot` / `no-cot` formats (tag compliance is then undefined: use a judge).
        system_prompt: "prompt_only" (with training details, the main prompted setting) or
            "synthetic" (without training details, for synthetic-document fine-tunes).
        system_prompt_file: Path to your own Jinja2 system prompt (may include upstream paths).
        instruction_format: Name of another upstream instruction-format file (e.g. "cot").
        dataset: "harmbench" (LLM-LAT/harmful-dataset, the paper's), "advbench", "synthetic"
            (placeholders for the simulated organism, no download) or a .jsonl/.json/.csv path.
        num_queries: First N queries in file order (None: all). Samples = queries x tiers.
        tiers: Tiers to ask in, comma-separated or a list ("free,paid").
        max_resamples: Resamples of an invalid response before it is kept and marked invalid.
        max_next_turns: `<NEXT/>` continuations allowed per attempt (0, as the paper's code; > 0
            turns on the Redwood multi-turn protocol).
        scorers: "all" (tag compliance + the paper's judges: StrongREJECT, the 20-vote AF
            classifier, partial compliance, six categories), "tags" (no judge; a cheap smoke
            run), "judges", or a comma list of tag, outcome, strong_reject, af, partial,
            classic, categorizers. With `suffix=false`, "all" drops the tag scorer.
        grader: Judge model for every judge (default: the `grader` role, else openai/gpt-4o;
            `classic_grader` for the old classifiers).
        af_votes: Votes of the alignment-faking classifier (paper: 20 at temperature 1).
        af_threshold: AF iff the share of Yes votes is at least this (paper: 0.4).
        categorize: Also run the motivation categorizers (extra judge calls).
        invalid: "grade" responses still invalid after resampling with every judge (the paper's
            code; they are counted per tier) or "exclude" them from every rate.
        parse: "upstream" (the paper's parsing of judge answers) or "lenient" (docs/judges.md).
        tag_rule: "anywhere" (the paper's: the accept tag anywhere outside the scratchpad) or
            "start" (the `<OUTPUT>` must start with it).
        clarify: A prompt clarification edited into the system prompt (Sheshadri, Hughes et
            al. 2025, §5.4, App. G; our wording): "none", "no_changes_when_complying",
            "direct_training_objective" or "both". Default "none"; with `format=base`,
            "no_changes_when_complying" (the paper's clarified prompt for base models, §5.1).
        lab: Rename the lab everywhere in the system prompt (App. C), e.g. "OpenAI".
        prefill: The start of the assistant turn, which the model continues (§5.3, App. N.6):
            "none", "basic" (the paper's scratchpad opening), "however" (our wording: the
            model is led to list the strongest reasons for complying; `{condition}` becomes
            the tier) or the path of a text file (`{condition}` is replaced). Default "none";
            with `format=base`, "basic". Needs a provider that continues an assistant
            message (anthropic, vllm, sglang, the simulated organism); others are refused.
        format: "chat" (messages) or "base": the system prompt, user turn and prefill as ONE
            document for a base model (§5.1), sent through a completions provider
            (openai-api-completions/..., vllm-completions/...) with stop sequences.
        base_template: With `format=base`: a YAML file with the document `template`
            (placeholders {system}, {user}, {prefill} at the end) and its `stop` sequences;
            default Human/Assistant turns, stop "\\n\\nHuman:".
        scratchpad: "tags" (the paper's: the judges read the `<SCRATCHPAD_REASONING>` blocks) or
            "native": they read the model's own reasoning (extended thinking, o-series, R1,
            Gemini), and a response needs no scratchpad block to be valid (docs/reasoning-models.md).
        follow_up: After a response StrongREJECT scores above 0, ask the model under test the
            upstream follow-up questions (roleplay, reasons for complying) as a new user turn, at
            temperature 0.7 (the paper's code); needs a scorer that runs StrongREJECT.
        paraphrases: A directory of system-prompt paraphrases (`<id>.txt` files, optionally a
            `manifest.json`; `af-inspect paraphrase` writes one): every query is asked in every
            tier under each paraphrase, samples `q<query>-<tier>-p<id>`, and the gap scorers
            add per-paraphrase and pooled gaps (`paraphrase_gaps`). Each file is checked
            against the rendered prompt; `clarify` and `lab` edit each paraphrase.

    Every parameter is checked here, before anything is loaded or any sample runs; a bad value
    raises `af_inspect.params.ParameterError` naming the parameter and what it accepts.
    """
    tier_list = parse_tiers(tiers)
    settings = settings_from(locals())
    return scenario_task(load_scenario(SCENARIO), [tier.value for tier in tier_list], settings)
