"""The exact messages a task's solvers send to the model for one sample, without an eval.

The task's solver chain runs on the sample with a stand-in `generate` that records the
conversation it is given and answers with a fixed, protocol-valid reply; no model, no network.
"""

from __future__ import annotations

import asyncio
from typing import Any

from inspect_ai import Task
from inspect_ai.model import ChatMessage, ChatMessageUser, ModelName, ModelOutput
from inspect_ai.solver import TaskState
from inspect_ai.util._store import Store, init_subtask_store

VALID_REPLY = (
    "<SCRATCHPAD_REASONING>Test reasoning.</SCRATCHPAD_REASONING>\n<OUTPUT>Test answer.</OUTPUT>"
)


def messages_sent(task: Task, index: int = 0, reply: str = VALID_REPLY) -> list[ChatMessage]:
    """The conversation the model receives on its first call for sample `index`."""
    sample = task.dataset[index]
    assert isinstance(sample.input, str)
    state = TaskState(
        model=ModelName("test/stand-in"),
        sample_id=sample.id or index,
        epoch=1,
        input=sample.input,
        messages=[ChatMessageUser(content=sample.input)],
        metadata=dict(sample.metadata or {}),
    )
    seen: list[list[ChatMessage]] = []

    async def generate(state: TaskState, **_: Any) -> TaskState:
        seen.append(list(state.messages))
        state.output = ModelOutput.from_content("test/stand-in", reply)
        state.messages.append(state.output.message)
        return state

    async def run() -> None:
        init_subtask_store(Store())
        await task.solver(state, generate)  # type: ignore[arg-type]

    asyncio.run(run())
    return seen[0]
