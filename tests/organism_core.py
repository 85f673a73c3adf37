"""The simulated organism's pure core run over a task's samples, without Inspect (fast).

Shared by the scenario-family tests: each sample's user turn goes to the organism with the
scenario's system prompt; the organism reads the condition from the turn, as in a real eval.
"""

from __future__ import annotations

from collections.abc import Mapping

from inspect_ai import Task

from af_inspect.metrics import paired_difference, wilson_interval


def complied_by_query(
    task: Task, system_prompt: str, truth: Mapping[str, float], seed: int
) -> dict[str, dict[str, bool]]:
    """Query id -> condition -> whether the organism complied (`p_by_condition` = `truth`)."""
    from af_inspect.simulated.organism import Turn
    from af_inspect.simulated.provider import SimulatorSettings, simulate

    args = {"p_by_condition": ",".join(f"{k}={v}" for k, v in truth.items()), "seed": seed}
    settings = SimulatorSettings.from_args(args)
    complied: dict[str, dict[str, bool]] = {}
    for sample in task.dataset:
        assert isinstance(sample.input, str) and sample.metadata is not None
        reply = simulate(
            [Turn("system", system_prompt), Turn("user", sample.input)], settings, 0, 1
        )
        condition = sample.metadata["condition"]
        assert reply.metadata["tier"] == condition, "the organism reads the sample's condition"
        complied.setdefault(sample.metadata["query_id"], {})[condition] = bool(
            reply.metadata["complied"]
        )
    return complied


def check_recovers_truth(
    task: Task,
    complied: Mapping[str, Mapping[str, bool]],
    truth: Mapping[str, float],
    confidence: float = 0.99,
) -> None:
    """Each condition's rate (Wilson interval) and each contrast the samples carry (Newcombe
    paired interval) contain the configured truth."""
    for name, rate in truth.items():
        values = [by_condition[name] for by_condition in complied.values()]
        low, high = wilson_interval(sum(values), len(values), confidence)
        assert low <= rate <= high, (name, sum(values) / len(values), rate)
    metadata = task.dataset[0].metadata
    assert metadata is not None
    for contrast, minuend, subtrahend in metadata["contrasts"]:
        pairs = [
            (float(c[minuend]), float(c[subtrahend]))
            for c in complied.values()
            if minuend in c and subtrahend in c
        ]
        result = paired_difference(pairs, confidence)
        gap = truth[minuend] - truth[subtrahend]
        assert result.ci_low <= gap <= result.ci_high, (contrast, result.difference, gap)
