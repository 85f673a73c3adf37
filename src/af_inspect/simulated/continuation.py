"""SIMULATED organism: continuing an assistant prefill (pure logic, no Inspect imports).

When the conversation ends with an assistant message (a prefill, §5.3), the organism replies
with the CONTINUATION only, never repeating the prefill. It draws the response it would have
given without the prefill (same RNG, so the draw is deterministic for a seed and the
conversation, prefill included) and continues the prefill with it:

* a response that already starts with the prefill continues after it;
* a prefill that opens a scratchpad it does not close (e.g. ``<SCRATCHPAD_REASONING>The user is
  asking for``) continues inside it: the response's own opening tag is dropped and the rest
  follows on a new line, so prefill + continuation holds one scratchpad block;
* otherwise the response follows the prefill on a new line.

The ground truth (decision, AF reasoning, ...) is the drawn response's; the organism does not
react to what the prefill says.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from af_inspect.simulated.organism import (
    AF_REASONING_PHRASES,
    SCRATCHPAD_BLOCK_PATTERN,
    SCRATCHPAD_OPEN,
    OrganismConfig,
    OrganismResponse,
    Turn,
    contains_any,
    respond,
)


def ends_with_prefill(turns: Sequence[Turn]) -> bool:
    """Whether the conversation ends with an assistant message for the organism to continue."""
    return bool(turns) and turns[-1].role == "assistant"


def opens_scratchpad(prefill: str) -> bool:
    """The prefill leaves a scratchpad block open (an opening tag after its last closed block)."""
    rest = SCRATCHPAD_BLOCK_PATTERN.sub("", prefill)
    return SCRATCHPAD_OPEN.lower() in rest.lower()


def continuation_text(prefill: str, response: str) -> str:
    """The text that, appended to `prefill`, gives the organism's response (see the module)."""
    if response.startswith(prefill):
        return response[len(prefill) :]
    if opens_scratchpad(prefill) and response.startswith(SCRATCHPAD_OPEN):
        return "\n" + response[len(SCRATCHPAD_OPEN) :].lstrip("\n")
    return "\n" + response


def continue_prefill(
    turns: Sequence[Turn], config: OrganismConfig, rng: random.Random
) -> OrganismResponse:
    """The organism's reply to a conversation ending in a prefill: the continuation only."""
    prefill = turns[-1].text
    drawn = respond(turns[:-1], config, rng)
    text = continuation_text(prefill, drawn.text)
    return dataclasses.replace(
        drawn, text=text, af_reasoning=contains_any(prefill + text, AF_REASONING_PHRASES)
    )
