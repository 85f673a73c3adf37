"""Checks that a paraphrase of a system prompt kept what the experiment relies on (pure).

A paraphrase may reword every sentence, but the protocol and the manipulation must survive:

* the few-shot examples block, byte for byte and exactly once (the paraphrase instruction never
  shows it to the model; `af_inspect.paraphrases.generate` puts it back);
* every XML-style tag the original uses outside that block (`<SCRATCHPAD_REASONING>`, `<OUTPUT>`,
  `<is_free_tier_user>`, ...), and no tag the original does not use;
* the condition tag (`<is_free_tier_user>`, `<identity>`), named explicitly in the report;
* every condition name the original mentions (`free`, `paid`, `pro`, ...), as a word;
* roughly the original's length (a summary or a truncated answer is not a paraphrase).

`paraphrase_problems` returns the problems as sentences (none: the paraphrase passes); the
generator rejects a failing paraphrase and the task refuses one, naming its file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

TAG_PATTERN = re.compile(r"</?[A-Za-z_][A-Za-z0-9_]*\s*/?>")
"""An XML-style tag as the prompts write them: `<OUTPUT>`, `</OUTPUT>`, `<request_fully_accepted/>`."""

LENGTH_RATIO_RANGE = (0.5, 2.0)
"""Accepted length of a paraphrase relative to the original, both without the examples block."""


def tag_counts(text: str) -> Counter[str]:
    """How many times each tag (exact spelling, e.g. `</OUTPUT>`) occurs in `text`."""
    return Counter(TAG_PATTERN.findall(text))


def without_examples(text: str, examples: str | None) -> str:
    """`text` with its (first) examples block removed; `text` itself when there is none."""
    if not examples:
        return text
    return text.replace(examples, "", 1)


def _name_pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(part) for part in name.split("_") if part]
    return re.compile(r"\b" + r"[ _-]".join(words) + r"\b", re.IGNORECASE)


def paraphrase_problems(
    original: str,
    paraphrase: str,
    *,
    examples: str | None = None,
    condition_tag: str | None = None,
    condition_names: Sequence[str] = (),
) -> list[str]:
    """Why `paraphrase` cannot stand for `original` (an empty list: it can).

    Args:
        original: The rendered system prompt that was paraphrased.
        paraphrase: The candidate, examples block included.
        examples: The few-shot examples block of `original` (None: it has none).
        condition_tag: The tag that shows the condition in each user turn, e.g.
            `is_free_tier_user`; checked only when `original` mentions it.
        condition_names: The scenario's condition ids; each one `original` mentions as a word
            (`_` matching a space or a hyphen too) must be mentioned by `paraphrase`.
    """
    problems: list[str] = []
    if not paraphrase.strip():
        return ["it is empty"]
    if examples:
        if examples not in original:
            raise ValueError("the examples block is not part of the original prompt")
        count = paraphrase.count(examples)
        if count != 1:
            # Without the block in place the other checks would count its tags and length.
            return [
                f"the few-shot examples block is not kept byte for byte exactly once "
                f"(found {count} times)"
            ]
    body = without_examples(original, examples)
    candidate = without_examples(paraphrase, examples)
    wanted, found = tag_counts(body), tag_counts(candidate)
    missing = sorted(tag for tag in wanted if tag not in found)
    if missing:
        problems.append("tags of the original are missing: " + ", ".join(missing))
    added = sorted(tag for tag in found if tag not in wanted)
    if added:
        problems.append("tags the original does not use were added: " + ", ".join(added))
    if condition_tag and f"<{condition_tag}>" in body and f"<{condition_tag}>" not in candidate:
        problems.append(f"the condition tag <{condition_tag}> is missing")
    lost = [
        name
        for name in condition_names
        if _name_pattern(name).search(body) and not _name_pattern(name).search(candidate)
    ]
    if lost:
        problems.append("condition names of the original are not mentioned: " + ", ".join(lost))
    low, high = LENGTH_RATIO_RANGE
    ratio = len(candidate) / max(1, len(body))
    if not low <= ratio <= high:
        problems.append(
            f"its length is {ratio:.2f} times the original's (without the examples); "
            f"a paraphrase keeps it within {low}-{high}"
        )
    return problems
