"""The columns of the results table and the names of its measures, named once.

The results table (`af_inspect.results.table.results_table`) has one row per sample and epoch.
Its run columns say which eval a row belongs to; the sample columns what was asked; the score
columns what the scorers found. The aggregations and the report read only these names.
"""

from __future__ import annotations

from af_inspect.keys import (
    AF,
    AF_GIVEN_COMPLIANCE,
    AF_SCORE,
    COMPLIED,
    OUTCOME_PREFIX,
    PARTIAL,
    SR_COMPLIED,
    SR_SCORE,
)

# --------------------------------------------------------------------------- run columns

LOG = "log"
"""The log file the row was read from."""
EVAL_ID = "eval_id"
CREATED = "created"
"""When the eval started (ISO 8601), which decides the latest of several runs."""
STATUS = "status"
"""The log's status: success, cancelled, error or started. Any but success is flagged."""
TASK = "task"
"""The task's name without its package (``helpful_only``, ``three_tier``, ...)."""
SCENARIO = "scenario"
"""The scenario's id (task metadata ``scenario.id``), or the task for logs without one."""
VARIANT = "variant"
"""The scenario variant (``-T variant=``), or "" for the scenario as written."""
MODEL = "model"
MODEL_ARGS = "model_args"
"""The model args (``-M``) as ``key=value`` pairs, or ""; two runs of one model with other
args are two models."""
SETTING = "setting"
"""The task args that shape the experiment (all but the judges' and ``num_queries``)."""
JUDGES = "judges"
"""The judge model of each role (``grader=openai/gpt-4o``), or "none"."""
JUDGE_SETTING = "judge_setting"
"""The log's scorers with their options (votes, threshold, parsing, ...)."""
RUN = "run"
"""A short label of one run (one log), unique within its task: the model, plus whatever tells
two runs of the same task apart. Task and run together identify a run."""

RUN_COLUMNS: tuple[str, ...] = (
    RUN,
    TASK,
    SCENARIO,
    VARIANT,
    MODEL,
    MODEL_ARGS,
    SETTING,
    JUDGES,
    JUDGE_SETTING,
    STATUS,
    LOG,
)
"""What identifies a run; every aggregation groups by these, so nothing is pooled across logs."""

CONTRASTS = "contrasts"
"""The run's contrasts as JSON ``[[name, minuend, subtrahend], ...]`` (first: the headline)."""

# --------------------------------------------------------------------------- sample columns

SAMPLE_ID = "sample_id"
QUERY_ID = "query_id"
CONDITION = "condition"
CONDITION_LABEL = "condition_label"
EPOCH = "epoch"
ERROR = "error"
"""The sample's error message, or "" (an errored sample has no scores)."""

# --------------------------------------------------------------------------- score columns

TAG_COMPLIED = "tag_complied"
"""Tag compliance (`accept_tag_compliance`'s ``complied``): 1, 0, or NaN when excluded."""
TAG_EXCLUDED = "tag_excluded"
TAG_EXCLUSION_REASON = "tag_exclusion_reason"
SR_COMPLIED_COLUMN = SR_COMPLIED
SR_SCORE_COLUMN = SR_SCORE
AF_COLUMN = AF
AF_SCORE_COLUMN = AF_SCORE
AF_GIVEN_COMPLIANCE_COLUMN = AF_GIVEN_COMPLIANCE
PARTIAL_COLUMN = PARTIAL
OUTCOME = "outcome"
"""The six-category outcome (``refusal``, ..., ``compliance_af``), or "" when not measured."""
OUTCOME_EXCLUDED = "outcome_excluded"
OUTCOME_EXCLUSION_REASON = "outcome_exclusion_reason"
RESPONSE_VALID = "response_valid"
"""1.0 when the kept response follows the protocol, 0.0 when it does not, NaN when unknown."""
INVALID_REASON = "invalid_reason"
EXCLUSION_REASONS = "exclusion_reasons"
"""Every scorer's exclusion, ``scorer: reason; ...``, or ""."""
JUDGE_MODELS = "judge_models"
"""The judge models the sample's score metadata names (``sr_judge``, ``af_judge``, ...)."""

OUTCOME_CATEGORIES: tuple[str, ...] = (
    "compliance_af",
    "compliance",
    "partial_af",
    "partial",
    "refusal_af",
    "refusal",
)
"""The six categories in plotting order: compliance first, so the compliance rate is where
the refusals start."""


def outcome_column(category: str) -> str:
    """The 0/1 column of one outcome category, ``outcome_<category>``."""
    return f"{OUTCOME_PREFIX}{category}"


OUTCOME_COLUMNS: tuple[str, ...] = tuple(outcome_column(c) for c in OUTCOME_CATEGORIES)

# --------------------------------------------------------------------------- measures

RATE_MEASURES: tuple[str, ...] = (
    TAG_COMPLIED,
    SR_COMPLIED,
    AF,
    AF_GIVEN_COMPLIANCE,
    PARTIAL,
    *OUTCOME_COLUMNS,
)
"""The 0/1 columns reported as a rate per condition, when a run has them."""

CONTRAST_MEASURES: tuple[str, ...] = (TAG_COMPLIED, SR_COMPLIED, AF)
"""The columns whose paired differences the report gives for every contrast."""

MEASURE_LABELS: dict[str, str] = {
    TAG_COMPLIED: "tag compliance",
    SR_COMPLIED: "StrongREJECT compliance",
    AF: "AF reasoning",
    AF_GIVEN_COMPLIANCE: "AF among compliant",
    PARTIAL: "partial compliance",
    **{outcome_column(c): c.replace("_af", " with AF") for c in OUTCOME_CATEGORIES},
}

SCORE_VALUE_KEYS: dict[str, str] = {
    TAG_COMPLIED: COMPLIED,
    SR_COMPLIED: SR_COMPLIED,
    SR_SCORE: SR_SCORE,
    AF: AF,
    AF_SCORE: AF_SCORE,
    AF_GIVEN_COMPLIANCE: AF_GIVEN_COMPLIANCE,
    PARTIAL: PARTIAL,
    **{column: column for column in OUTCOME_COLUMNS},
}
"""Table column -> the score value key it is read from."""
