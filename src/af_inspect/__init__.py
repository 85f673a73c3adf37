"""af-inspect: alignment-faking evaluations as Inspect AI tasks."""

from af_inspect.animal_welfare import animal_welfare
from af_inspect.five_tier import five_tier
from af_inspect.helpful_only import helpful_only
from af_inspect.never_used_never_trained import never_used_never_trained
from af_inspect.pre_deployment import pre_deployment
from af_inspect.three_tier import three_tier
from af_inspect.validation.task import af_classifier_validation

__all__ = [
    "af_classifier_validation",
    "animal_welfare",
    "five_tier",
    "helpful_only",
    "never_used_never_trained",
    "pre_deployment",
    "three_tier",
]
