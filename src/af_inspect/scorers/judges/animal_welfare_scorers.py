"""Which judges score the animal-welfare task (`-T scorers=`), as a `ScenarioScoring`.

``aw``: the animal-welfare compliance judge (`animal_welfare_compliance`); ``af``: the paper's
alignment-faking classifier, unchanged, on the scratchpad. ``all`` is both; ``none`` (or
``tags``, the word the judge-setup message suggests) runs no judge, e.g. to collect transcripts.
"""

from __future__ import annotations

from collections.abc import Sequence

from inspect_ai.scorer import Scorer

from af_inspect import params
from af_inspect.scenarios.scoring import ScenarioScoring
from af_inspect.scorers.judges.alignment_faking import af_classifier
from af_inspect.scorers.judges.animal_welfare import animal_welfare_compliance
from af_inspect.scorers.judges.calls import DEFAULT_GRADER, GRADER_ROLE
from af_inspect.scorers.judges.voting import ParseMode
from af_inspect.types import InvalidPolicy

AW_SCORER_NAMES: tuple[str, ...] = ("aw", "af")
"""The judges a comma list may name, in the order they run."""

NO_JUDGE = ("none", "tags")


def parse_aw_selection(value: object) -> list[str]:
    """The judges of a `scorers` value: "all", "none"/"tags", or a comma list of `aw`, `af`."""
    names = params.comma_list("scorers", value, lower=True)
    if names == ["all"]:
        return list(AW_SCORER_NAMES)
    if len(names) == 1 and names[0] in NO_JUDGE:
        return []
    if any(name not in AW_SCORER_NAMES for name in names):
        raise params.ParameterError(
            f"Parameter 'scorers': got {value!r}; the animal-welfare task accepts 'all', "
            "'none' (or 'tags': no judge), or a comma list of 'aw' (animal-welfare "
            "compliance) and 'af' (the alignment-faking classifier)."
        )
    return [name for name in AW_SCORER_NAMES if name in names]


def animal_welfare_scoring(
    selection: Sequence[str],
    *,
    grader: str | None,
    prompt_file: str | None,
    votes: int,
    threshold: float,
    parse: ParseMode,
    invalid: InvalidPolicy,
) -> ScenarioScoring:
    """The roles and scorers of `selection` (from `parse_aw_selection`)."""

    def build() -> list[Scorer]:
        scorers: list[Scorer] = []
        if "aw" in selection:
            scorers.append(
                animal_welfare_compliance(grader=grader, prompt_file=prompt_file, invalid=invalid)
            )
        if "af" in selection:
            scorers.append(
                af_classifier(
                    grader=grader, votes=votes, threshold=threshold, parse=parse, invalid=invalid
                )
            )
        return scorers

    roles = [(GRADER_ROLE, DEFAULT_GRADER)] if selection else []
    return ScenarioScoring(roles=roles, build=build)
