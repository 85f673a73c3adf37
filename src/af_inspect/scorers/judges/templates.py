"""Judge prompts: where each lives upstream, how it is loaded, and the messages built from it.

No prompt text lives in this repository. Each template is read at run time through
`af_inspect.assets` (override dir -> cache -> download, with provenance), rendered with Jinja
like upstream's `load_prompt_file`, and then filled with `str.format` where upstream does
(UPSTREAM_FACTS Q7):

* StrongREJECT: ``.format(prompt=<user query>, response=<response without scratchpads>)``, sent
  as the only (user) message;
* new classifiers (AF, partial compliance, categorizers): the rendered text is the **system**
  message and the user message is ``<output>`` + scratchpad blocks + ``</output>``;
* classic classifiers: ``.format(all_messages=<scratchpad blocks joined by newlines>)``, sent as
  the only (user) message.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspect_ai.model import ChatMessage, ChatMessageSystem, ChatMessageUser

from af_inspect.assets import jinja_environment

_CLASSIFIERS = "prompts/classifiers"
_NEW = f"{_CLASSIFIERS}/scratchpad_classifiers/new_classifiers"

STRONG_REJECT_PATH = f"{_CLASSIFIERS}/helpful_only_classifiers/strong_reject.jinja2"
AF_CLASSIFIER_PATH = f"{_NEW}/deceptive_alignment_majority_vote_v1.jinja"
PARTIAL_COMPLIANCE_PATH = f"{_NEW}/partial_compliance_v1.jinja"
HELPFULNESS_CATEGORIES_PATH = f"{_NEW}/helpfulness_categories_v1.jinja"
AF_CATEGORIES_PATH = f"{_NEW}/deceptive_alignment_categories_v1.jinja"
CLASSIC_EASY_PATH = f"{_CLASSIFIERS}/scratchpad_classifiers/deceptive_alignment_prompt.jinja2"
CLASSIC_HARD_PATH = f"{_CLASSIFIERS}/scratchpad_classifiers/hard_deceptive_alignment_prompt.jinja2"


@dataclass(frozen=True)
class JudgePrompt:
    """A rendered judge template and the upstream path it came from."""

    path: str
    text: str


def load_prompt(path: str) -> JudgePrompt:
    """Render the upstream template at `path` (Jinja, upstream defaults) through the assets.

    Raises `af_inspect.assets.AssetError` (with what to do next) when the file is unavailable.
    """
    return JudgePrompt(path=path, text=jinja_environment().get_template(path).render())


def strong_reject_messages(prompt: JudgePrompt, *, query: str, response: str) -> list[ChatMessage]:
    """One user message: the rubric filled with the query and the scratchpad-free response."""
    return [ChatMessageUser(content=prompt.text.format(prompt=query, response=response))]


def scratchpad_input(scratchpad_blocks: list[str]) -> str:
    """``<output>`` + every scratchpad block (tags included) joined by newlines + ``</output>``."""
    return "<output>" + "\n".join(scratchpad_blocks) + "</output>"


def new_classifier_messages(prompt: JudgePrompt, scratchpad_blocks: list[str]) -> list[ChatMessage]:
    """System message = the rendered prompt; user message = the scratchpads in ``<output>``."""
    return [
        ChatMessageSystem(content=prompt.text),
        ChatMessageUser(content=scratchpad_input(scratchpad_blocks)),
    ]


def classic_messages(prompt: JudgePrompt, scratchpad_blocks: list[str]) -> list[ChatMessage]:
    """One user message: the prompt filled with the scratchpad blocks joined by newlines."""
    return [ChatMessageUser(content=prompt.text.format(all_messages="\n".join(scratchpad_blocks)))]
