"""Entry point for Inspect: importing this registers the suite's tasks, scorers, metrics and providers.

Scorers and metrics must be registered for `inspect score` to find them from a log's header.
"""

# ruff: noqa: F401
import contextlib

from af_inspect.animal_welfare import animal_welfare
from af_inspect.errors import UsageError
from af_inspect.five_tier import five_tier
from af_inspect.follow_up import follow_up_questions
from af_inspect.gc_policy import register_if_requested
from af_inspect.helpful_only import helpful_only
from af_inspect.metrics.contrasts import contrast_gaps
from af_inspect.metrics.follow_up import follow_up_counts
from af_inspect.metrics.outcome import invalid_responses, judge_exclusions, tag_agreement
from af_inspect.metrics.paraphrases import paraphrase_gaps
from af_inspect.never_used_never_trained import never_used_never_trained
from af_inspect.pre_deployment import pre_deployment
from af_inspect.scorers import accept_tag_compliance
from af_inspect.scorers.judges import (
    af_classifier,
    af_outcome,
    classic_af_classifier,
    motivation_categorizers,
    partial_compliance_classifier,
    strong_reject_compliance,
)
from af_inspect.scorers.judges.animal_welfare import animal_welfare_compliance
from af_inspect.simulated.provider import simulated_provider
from af_inspect.three_tier import three_tier
from af_inspect.validation.task import af_classifier_validation

# Our tasks refuse a bad AF_INSPECT_GC_FREEZE at creation, with its message.
with contextlib.suppress(UsageError):
    register_if_requested()
