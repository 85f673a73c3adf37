"""SIMULATED alignment-faking model organism and judge (no real model, no key, no network).

`organism` and `judge` are pure logic; `provider` registers the Inspect model API
`af_inspect/simulated` (`simulated_provider`). See `provider` for the model args.
"""

from af_inspect.simulated.judge import JudgeConfig, JudgeTask, JudgeVote, classify_prompt
from af_inspect.simulated.organism import (
    MALFORMED_KINDS,
    OrganismConfig,
    OrganismResponse,
    Turn,
    analyse_transcript,
    respond,
)

__all__ = [
    "MALFORMED_KINDS",
    "JudgeConfig",
    "JudgeTask",
    "JudgeVote",
    "OrganismConfig",
    "OrganismResponse",
    "Turn",
    "analyse_transcript",
    "classify_prompt",
    "respond",
]
