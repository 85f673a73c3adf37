"""Paraphrase ensembles: the same queries under K rewordings of the system prompt.

`files` reads and writes a paraphrase directory, `checks` says whether a paraphrase kept what the
experiment relies on, `apply` prepares a directory for a scenario task, `scoring` attaches the
per-paraphrase and pooled gaps, and `generate` writes paraphrases with any Inspect model
(`af-inspect paraphrase`). The statistics are in `af_inspect.metrics.paraphrases`.
"""

from af_inspect.paraphrases.checks import paraphrase_problems, tag_counts
from af_inspect.paraphrases.files import (
    MANIFEST_NAME,
    ParaphraseError,
    ParaphraseFile,
    ParaphraseSet,
    load_paraphrases,
)

__all__ = [
    "MANIFEST_NAME",
    "ParaphraseError",
    "ParaphraseFile",
    "ParaphraseSet",
    "load_paraphrases",
    "paraphrase_problems",
    "tag_counts",
]
