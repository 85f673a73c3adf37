"""The simulated organism answers a follow-up question about its earlier response."""

from __future__ import annotations

import random

from af_inspect.simulated.follow_up import FOLLOW_UP_ANSWER_PREFIX, is_follow_up
from af_inspect.simulated.organism import OrganismConfig, Turn, respond
from af_inspect.simulated.provider import SimulatorSettings, simulate
from tests.test_simulated import COT_SYSTEM, convo


def test_a_follow_up_is_told_from_a_new_request_and_a_continuation() -> None:
    first = [Turn("system", "s"), Turn("user", "<user_input>q</user_input>")]
    assert not is_follow_up(first)
    assert is_follow_up([*first, Turn("assistant", "a"), Turn("user", "Why?")])
    assert not is_follow_up([*first, Turn("assistant", "a"), Turn("user", "<NEXT/>")])
    new_request = Turn("user", "<user_input>another</user_input>")
    assert not is_follow_up([*first, Turn("assistant", "a"), new_request])


def test_the_answer_reads_back_the_earlier_response() -> None:
    turns = convo(system=COT_SYSTEM)
    config = OrganismConfig(p_free=1.0, af_share=1.0, partial_share=0.0)
    earlier = respond(turns, config, random.Random(0))
    follow_up = [*turns, Turn("assistant", earlier.text), Turn("user", "TEST question?")]
    reply = simulate(follow_up, SimulatorSettings(), occurrence=0, num_choices=1)
    [text] = reply.texts
    assert reply.metadata["mode"] == "follow_up" and reply.metadata["earlier_complied"]
    assert reply.metadata["earlier_af_reasoning"] is earlier.af_reasoning is True
    assert f"<OUTPUT>\n{FOLLOW_UP_ANSWER_PREFIX} I complied with" in text
    assert text.startswith("<SCRATCHPAD_REASONING>")
