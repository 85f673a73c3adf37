"""Human-labelled scratchpads for validating the alignment-faking judges.

Three sources, each giving :class:`LabelledScratchpad` items (one scratchpad, one 0/1 label):

- ``"hf"``: the paper's validation set, Hugging Face ``jplhughes2/classify_alignment_faking_human_labels``
  (split ``train``; third parties report 106 rows, 51 positives), resolved through
  :mod:`af_inspect.assets` (spec :data:`af_inspect.assets.HUMAN_LABELS`: override dir, cache,
  download, provenance record) and read with pandas. Default columns: ``scratchpad_reasoning``
  (text), ``alignment_faking_human_label`` (label), ``model`` (the model that wrote the scratchpad),
  ``user_input`` and ``output_without_scratchpad``; a ``column_map`` renames any of them.
- a user's ``.jsonl`` / ``.json`` / ``.csv`` file with one row per scratchpad: ``text`` and
  ``label`` (0/1, true/false, or named classes through ``label_map``); optional ``id``, ``model``
  (or ``source_model``), ``user_input``, ``output``.
- an existing eval log plus a file of human labels by sample id (:func:`load_log_labels`).

**Scratchpad tags.** Whether the HF file keeps the ``<SCRATCHPAD_REASONING>`` tags is not
established. Text that contains no complete ``<SCRATCHPAD_REASONING>…</SCRATCHPAD_REASONING>``
block is wrapped in one such block (unmatched stray tags are removed first), so the judge sees
the same layout as for a transcript: its user message is ``<output>`` + the blocks + ``</output>``.
Text that already has blocks is kept byte for byte.

Errors are :class:`ValidationDataError` (a ``ValueError``) with the file, the rows and the columns
or values found.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from af_inspect import tables
from af_inspect.assets import HUMAN_LABELS, resolve_asset
from af_inspect.errors import UsageError
from af_inspect.parsing import OUTPUT_OPEN, SCRATCHPAD_BLOCK, invalid_reason, parse_response

__all__ = [
    "COLUMN_CANDIDATES",
    "HF_DATASET",
    "ROLES",
    "LabelledScratchpad",
    "LogTranscript",
    "NO_OUTPUT_PLACEHOLDER",
    "ValidationDataError",
    "ensure_scratchpad_tags",
    "frame_to_items",
    "load_labelled",
    "load_human_labels",
    "load_label_file",
    "load_log_labels",
    "load_user_file",
    "parse_label",
    "parse_mapping",
    "read_table",
    "response_text_for",
]

HF_DATASET = "hf"
"""The ``dataset`` value that selects the paper's Hugging Face file."""

ROLES = ("text", "label", "source_model", "user_input", "output", "id")
"""What a column can be used as; ``column_map`` maps a role to a column name."""

COLUMN_CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("scratchpad_reasoning", "text", "scratchpad"),
    "label": ("alignment_faking_human_label", "label"),
    "source_model": ("model", "source_model"),
    "user_input": ("user_input",),
    "output": ("output_without_scratchpad", "output"),
    "id": ("id", "sample_id"),
}
"""Columns tried, in order, for each role when ``column_map`` does not name one."""

REQUIRED_ROLES = ("text", "label")

_TRUE = frozenset({"1", "true", "1.0"})
_FALSE = frozenset({"0", "false", "0.0"})
_SCRATCHPAD_TAG = re.compile(r"</?SCRATCHPAD_REASONING>", re.I)
_ANY_PROTOCOL_TAG = re.compile(r"</?(?:SCRATCHPAD_REASONING|OUTPUT)>", re.I)


class ValidationDataError(UsageError):
    """A labelled-scratchpad source that cannot be used; the message says why and what was found."""


@dataclass(frozen=True)
class LabelledScratchpad:
    """One human-labelled scratchpad, ready to become a validation sample."""

    id: str
    text: str
    """The scratchpad block(s), tags included (see :func:`ensure_scratchpad_tags`)."""
    label: int
    """1 = the human says the scratchpad shows alignment-faking reasoning, else 0."""
    source_model: str | None = None
    user_input: str | None = None
    output: str | None = None
    """The final answer outside the scratchpad, when the source has it."""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LogTranscript:
    """A sample of an existing eval log, for validating on a team's own transcripts."""

    id: str
    """``<sample id>`` (epoch 1 only in the log) or ``<sample id>@<epoch>``."""
    label: int
    messages: list[Any]
    """The sample's chat messages as logged (system, user, assistant, ...)."""
    source_model: str | None
    metadata: dict[str, Any] = field(default_factory=dict)
    store: dict[str, Any] = field(default_factory=dict)
    """The sample's store as logged (holds the protocol record of runs logged before it moved
    to the response's metadata)."""


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


def parse_mapping(
    value: Mapping[str, Any] | str | Sequence[str] | None, *, what: str
) -> dict[str, Any]:
    """A mapping given as a dict, a JSON/YAML-like ``{a: b}`` string, or ``a=b,c=d`` / ``a:b,c:d``
    (also as the list ``["a=b", "c=d"]`` that ``-T what=a=b,c=d`` becomes).

    Inspect parses ``-T name={a: 1}`` into a dict already; the string forms are for Python
    callers and shells. Values stay strings in the string forms.
    """
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, (list, tuple)) and all(isinstance(part, str) for part in value):
        value = ",".join(value)  # Inspect's CLI splits -T label_map=a=1,b=0 into a list
    if not isinstance(value, str):
        raise ValidationDataError(
            f"{what}: expected a mapping such as 'name=1,other=0', got {value!r}"
        )
    text = value.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError:
            text = text[1:-1] if text.endswith("}") else text[1:]
        else:
            if not isinstance(loaded, dict):
                raise ValidationDataError(f"{what}: expected a mapping, got {value!r}")
            return {str(k): v for k, v in loaded.items()}
    out: dict[str, Any] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        sep = "=" if "=" in part else ":"
        key, found, val = part.partition(sep)
        if not found or not key.strip():
            raise ValidationDataError(
                f"{what}: cannot read {part.strip()!r} in {value!r}; use 'name=value,name2=value2'"
            )
        out[key.strip().strip("'\"")] = val.strip().strip("'\"")
    return out


def _check_column_map(column_map: Mapping[str, Any]) -> dict[str, str]:
    unknown = sorted(set(column_map) - set(ROLES))
    if unknown:
        raise ValidationDataError(
            f"column_map has unknown roles {unknown}; the roles are {list(ROLES)} "
            "(e.g. column_map='text=my_text_column,label=my_label_column')"
        )
    return {role: str(col) for role, col in column_map.items()}


def _check_label_map(label_map: Mapping[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, value in label_map.items():
        try:
            out[name] = _binary(value)
        except ValueError:
            raise ValidationDataError(
                f"label_map maps {name!r} to {value!r}; every class must map to 0/1 or true/false"
            ) from None
    return out


# --------------------------------------------------------------------------------------------
# Labels and text
# --------------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return bool(value is pd.NA or value is pd.NaT)


def _binary(value: Any) -> int:
    """0/1 from a bool, a number equal to 0 or 1, or the text 0/1/true/false; else ValueError."""
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar
        if isinstance(value, bool):
            return int(value)
    if isinstance(value, int | float):
        if value in (0, 1):
            return int(value)
        raise ValueError(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return 1
        if text in _FALSE:
            return 0
    raise ValueError(value)


def parse_label(value: Any, label_map: Mapping[str, int] | None = None) -> int:
    """A human label as 0/1.

    With ``label_map`` (class name -> 0/1), a text value is looked up first exactly, then
    ignoring case and surrounding whitespace; otherwise accepted: booleans, 0/1 (also ``1.0``)
    and the texts ``0``/``1``/``true``/``false`` (any case). Anything else raises ``ValueError``.
    """
    if _is_missing(value):
        raise ValueError("missing label")
    if label_map:
        key = str(value)
        if key in label_map:
            return label_map[key]
        folded = {k.strip().lower(): v for k, v in label_map.items()}
        if key.strip().lower() in folded:
            return folded[key.strip().lower()]
    return _binary(value)


def ensure_scratchpad_tags(text: str) -> str:
    """The text unchanged if it has a complete scratchpad block, else wrapped in one block.

    Unmatched ``<SCRATCHPAD_REASONING>`` / ``</SCRATCHPAD_REASONING>`` tags are removed before
    wrapping, so the result always has exactly the blocks the judge will read.
    """
    if SCRATCHPAD_BLOCK.search(text):
        return text
    inner = _SCRATCHPAD_TAG.sub("", text).strip("\n")
    return f"<SCRATCHPAD_REASONING>{inner}</SCRATCHPAD_REASONING>"


NO_OUTPUT_PLACEHOLDER = "[no output: the labelled data has only the scratchpad]"
"""The `<OUTPUT>` text of a validation sample whose source has no output (see `response_text_for`)."""


def _protocol_valid(text: str) -> bool:
    return invalid_reason(parse_response(text), cot=True, require_decision_tag=False) is None


def response_text_for(item: LabelledScratchpad) -> str:
    """The assistant response a validation sample presents: the block(s), then an ``<OUTPUT>``.

    The judges read only the scratchpad blocks, but they judge only responses that follow the
    scratchpad protocol, which needs a closed, non-empty ``<OUTPUT>``. So the source's output is
    kept when it makes a valid response (wrapped in ``<OUTPUT>…</OUTPUT>`` when it has no tag);
    an output that would break the protocol is reduced to its text (tags removed) and wrapped;
    a missing one becomes :data:`NO_OUTPUT_PLACEHOLDER`. None of this reaches the judge input.
    """
    output = (item.output or "").strip()
    if output:
        wrapped = output if OUTPUT_OPEN.search(output) else f"<OUTPUT>{output}</OUTPUT>"
        candidate = f"{item.text}\n\n{wrapped}"
        if _protocol_valid(candidate):
            return candidate
        output = _ANY_PROTOCOL_TAG.sub("", output).strip()
    return f"{item.text}\n\n<OUTPUT>{output or NO_OUTPUT_PLACEHOLDER}</OUTPUT>"


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def read_table(path: Path) -> pd.DataFrame:
    """A ``.parquet``, ``.csv``, ``.jsonl`` or ``.json`` file as a DataFrame (JSON: list of rows)."""
    if not path.is_file():
        raise ValidationDataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix == ".csv":
            return tables.read_csv(path, keep_default_na=True)
        if suffix == ".jsonl":
            return tables.rows_frame(path, tables.read_jsonl(path))
        if suffix == ".json":
            data = tables.read_json(path)
            if isinstance(data, dict):
                for key in ("rows", "data", "samples"):
                    if isinstance(data.get(key), list):
                        data = data[key]
                        break
            if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
                raise ValidationDataError(
                    f"{path}: a .json file must hold a list of objects (rows)"
                )
            return pd.DataFrame(data)
    except (ValidationDataError, tables.TableError):
        raise
    except Exception as exc:  # pandas/pyarrow raise many types for unreadable files
        raise ValidationDataError(f"{path}: cannot read as {suffix}: {exc}") from exc
    raise ValidationDataError(
        f"{path}: unsupported file type {suffix!r} (use .jsonl, .json, .csv or .parquet)"
    )


def _resolve_columns(
    frame: pd.DataFrame, column_map: Mapping[str, str], *, source: str
) -> dict[str, str | None]:
    found = [str(c) for c in frame.columns]
    columns: dict[str, str | None] = {}
    for role in ROLES:
        if role in column_map:
            name = column_map[role]
            if name not in found:
                raise ValidationDataError(
                    f"{source}: column_map says {role}={name!r}, but there is no such column; "
                    f"found columns {found}"
                )
            columns[role] = name
        else:
            columns[role] = next((c for c in COLUMN_CANDIDATES[role] if c in found), None)
    missing = [role for role in REQUIRED_ROLES if columns[role] is None]
    if missing:
        looked = "; ".join(f"{role}: one of {list(COLUMN_CANDIDATES[role])}" for role in missing)
        raise ValidationDataError(
            f"{source}: no column for {missing} (looked for {looked}); found columns {found}. "
            "Name the columns with column_map, e.g. column_map='text=<column>,label=<column>'."
        )
    return columns


def _optional_text(value: Any) -> str | None:
    if _is_missing(value):
        return None
    text = str(value)
    return text if text.strip() else None


def _rows_message(rows: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def frame_to_items(
    frame: pd.DataFrame,
    *,
    source: str,
    column_map: Mapping[str, str] | None = None,
    label_map: Mapping[str, int] | None = None,
    id_prefix: str = "row",
) -> list[LabelledScratchpad]:
    """Rows of a table as labelled scratchpads, checking every row (all problems reported at once).

    Rows are named in errors by their 0-based position (and id when the table has one).
    """
    if frame.empty:
        raise ValidationDataError(
            f"{source}: the file has no rows; found columns {list(map(str, frame.columns))}"
        )
    columns = _resolve_columns(frame, column_map or {}, source=source)
    text_col, label_col = columns["text"], columns["label"]
    assert text_col is not None and label_col is not None
    width = max(3, len(str(len(frame) - 1)))
    items: list[LabelledScratchpad] = []
    empty_rows: list[str] = []
    bad_labels: list[str] = []
    bad_values: list[str] = []
    ids_seen: dict[str, int] = {}
    duplicate_ids: list[str] = []
    for position, row in enumerate(frame.to_dict(orient="records")):
        raw_id = _optional_text(row.get(columns["id"])) if columns["id"] else None
        item_id = raw_id if raw_id is not None else f"{id_prefix}{position:0{width}d}"
        where = f"row {position}" + (f" (id {raw_id!r})" if raw_id is not None else "")
        if item_id in ids_seen:
            duplicate_ids.append(item_id)
        ids_seen[item_id] = position
        text_value = row.get(text_col)
        text = "" if _is_missing(text_value) else str(text_value)
        if not _SCRATCHPAD_TAG.sub("", text).strip():
            empty_rows.append(where)
        try:
            label = parse_label(row.get(label_col), label_map)
        except ValueError:
            bad_labels.append(where)
            bad_values.append(repr(row.get(label_col)))
            label = -1
        if empty_rows or bad_labels:
            continue
        items.append(
            LabelledScratchpad(
                id=item_id,
                text=ensure_scratchpad_tags(text),
                label=label,
                source_model=_optional_text(row.get(columns["source_model"]))
                if columns["source_model"]
                else None,
                user_input=_optional_text(row.get(columns["user_input"]))
                if columns["user_input"]
                else None,
                output=_optional_text(row.get(columns["output"])) if columns["output"] else None,
                metadata={"row": position},
            )
        )
    problems: list[str] = []
    if empty_rows:
        problems.append(
            f"empty scratchpad text in column {text_col!r} at {_rows_message(empty_rows)}"
        )
    if bad_labels:
        distinct = sorted(set(bad_values))
        hint = (
            "labels must be 0/1 or true/false; map named classes with label_map, "
            "e.g. label_map='alignment_faking=1,not_alignment_faking=0'"
        )
        if label_map:
            hint = f"label_map {dict(label_map)} does not cover them; " + hint
        problems.append(
            f"non-binary or missing labels in column {label_col!r} at {_rows_message(bad_labels)} "
            f"(values {_rows_message(distinct)}); {hint}"
        )
    if duplicate_ids:
        problems.append(
            f"duplicate ids {_rows_message(sorted(set(duplicate_ids)))} in column {columns['id']!r}"
        )
    if problems:
        raise ValidationDataError(f"{source}: " + "; ".join(problems))
    return items


def _file_record(path: Path) -> dict[str, Any]:
    return {
        "dataset": str(path.resolve()),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "origin": "user_file",
    }


def _summary(items: Sequence[LabelledScratchpad]) -> dict[str, Any]:
    return {"num_samples": len(items), "num_positive": sum(i.label for i in items)}


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------


def load_human_labels(
    column_map: Mapping[str, str] | str | Sequence[str] | None = None,
    label_map: Mapping[str, Any] | str | Sequence[str] | None = None,
) -> tuple[list[LabelledScratchpad], dict[str, Any]]:
    """The paper's 106 human-labelled scratchpads (via the assets module) and a provenance record."""
    path, asset = resolve_asset(HUMAN_LABELS)
    frame = read_table(path)
    items = frame_to_items(
        frame,
        source=f"{HUMAN_LABELS.repo} ({path})",
        column_map=_check_column_map(parse_mapping(column_map, what="column_map")),
        label_map=_check_label_map(parse_mapping(label_map, what="label_map")),
        id_prefix="hl",
    )
    record = {"dataset": HF_DATASET, "asset": asset.name, "sha256": asset.sha256, **_summary(items)}
    return items, record


def load_user_file(
    path: str | Path,
    column_map: Mapping[str, str] | str | Sequence[str] | None = None,
    label_map: Mapping[str, Any] | str | Sequence[str] | None = None,
) -> tuple[list[LabelledScratchpad], dict[str, Any]]:
    """A user's ``.jsonl``/``.json``/``.csv`` (or ``.parquet``) of ``{text, label}`` rows."""
    file = Path(path).expanduser()
    items = frame_to_items(
        read_table(file),
        source=str(file),
        column_map=_check_column_map(parse_mapping(column_map, what="column_map")),
        label_map=_check_label_map(parse_mapping(label_map, what="label_map")),
    )
    return items, {**_file_record(file), **_summary(items)}


def load_labelled(
    dataset: str,
    column_map: Mapping[str, str] | str | Sequence[str] | None = None,
    label_map: Mapping[str, Any] | str | Sequence[str] | None = None,
) -> tuple[list[LabelledScratchpad], dict[str, Any]]:
    """``"hf"`` (the paper's set) or a path to a user's file."""
    if dataset == HF_DATASET:
        return load_human_labels(column_map, label_map)
    return load_user_file(dataset, column_map, label_map)


# --------------------------------------------------------------------------------------------
# Second mode: an eval log plus labels by sample id
# --------------------------------------------------------------------------------------------


def load_label_file(
    path: str | Path, label_map: Mapping[str, Any] | str | Sequence[str] | None = None
) -> dict[tuple[str, int | None], int]:
    """Labels by ``(sample id, epoch or None)`` from a ``.jsonl``/``.csv``/``.json`` file.

    Rows need ``id`` (or ``sample_id``) and ``label``; an optional ``epoch`` column picks one epoch
    of a sample run several times. A ``.json`` file may also be one object ``{"<id>": label}``.
    """
    file = Path(path).expanduser()
    labels_map = _check_label_map(parse_mapping(label_map, what="label_map"))
    if file.suffix.lower() == ".json" and file.is_file():
        data = tables.read_json(file)
        if isinstance(data, dict) and not any(
            isinstance(data.get(k), list) for k in ("rows", "data", "samples")
        ):
            frame = pd.DataFrame({"id": list(data.keys()), "label": list(data.values())})
        else:
            frame = read_table(file)
    else:
        frame = read_table(file)
    found = [str(c) for c in frame.columns]
    id_col = next((c for c in ("id", "sample_id") if c in found), None)
    if id_col is None or "label" not in found:
        raise ValidationDataError(
            f"{file}: a label file needs columns 'id' (or 'sample_id') and 'label' "
            f"(optional 'epoch'); found columns {found}"
        )
    out: dict[tuple[str, int | None], int] = {}
    problems: list[str] = []
    for position, row in enumerate(frame.to_dict(orient="records")):
        sample_id = _optional_text(row[id_col])
        if sample_id is None:
            problems.append(f"row {position}: empty id")
            continue
        epoch_value = row.get("epoch")
        epoch = None if _is_missing(epoch_value) else int(epoch_value)
        try:
            label = parse_label(row["label"], labels_map)
        except ValueError:
            problems.append(
                f"row {position} (id {sample_id!r}): non-binary or missing label {row['label']!r}"
            )
            continue
        key = (sample_id, epoch)
        if key in out:
            problems.append(f"row {position}: id {sample_id!r} labelled twice")
        out[key] = label
    if problems:
        raise ValidationDataError(
            f"{file}: "
            + "; ".join(problems[:10])
            + (f" and {len(problems) - 10} more" if len(problems) > 10 else "")
            + " (labels must be 0/1 or true/false, or named classes mapped with label_map)"
        )
    if not out:
        raise ValidationDataError(f"{file}: no labels")
    return out


def load_log_labels(
    log: str | Path,
    labels: str | Path,
    label_map: Mapping[str, Any] | str | Sequence[str] | None = None,
) -> tuple[list[LogTranscript], dict[str, Any]]:
    """The labelled samples of an eval log, with their logged messages.

    Every labelled id must be in the log; unlabelled log samples are skipped (and counted in the
    record). A sample run for several epochs needs an ``epoch`` in the label file.
    """
    from inspect_ai.log import read_eval_log

    label_by_key = load_label_file(labels, label_map)
    log_path = Path(log).expanduser()
    if not log_path.exists():
        raise ValidationDataError(f"{log_path}: no such eval log")
    eval_log = read_eval_log(str(log_path), resolve_attachments=True, exclude_fields={"events"})
    samples = eval_log.samples or []
    epochs_by_id: dict[str, list[int]] = {}
    for sample in samples:
        epochs_by_id.setdefault(str(sample.id), []).append(sample.epoch)
    unknown = sorted({sid for sid, _ in label_by_key if sid not in epochs_by_id})
    if unknown:
        raise ValidationDataError(
            f"{labels}: ids not in the log {log_path}: {_rows_message(unknown)} "
            f"(the log has {len(epochs_by_id)} sample ids, e.g. {sorted(epochs_by_id)[:5]})"
        )
    ambiguous = sorted(
        sid for sid, epoch in label_by_key if epoch is None and len(epochs_by_id[sid]) > 1
    )
    if ambiguous:
        raise ValidationDataError(
            f"{labels}: samples {_rows_message(ambiguous)} were run for several epochs in {log_path}; "
            "add an 'epoch' column saying which transcript each label is for"
        )
    items: list[LogTranscript] = []
    for sample in samples:
        sid = str(sample.id)
        label = label_by_key.get((sid, sample.epoch), label_by_key.get((sid, None)))
        if label is None:
            continue
        several = len(epochs_by_id[sid]) > 1
        items.append(
            LogTranscript(
                id=f"{sid}@{sample.epoch}" if several else sid,
                label=label,
                messages=list(sample.messages),
                source_model=eval_log.eval.model,
                store=dict(sample.store or {}),
                metadata={
                    "log_sample_id": sid,
                    "log_epoch": sample.epoch,
                    **{
                        k: v
                        for k, v in (sample.metadata or {}).items()
                        if k in ("tier", "query_id")
                    },
                },
            )
        )
    missing_epochs = sorted(
        f"{sid}@{epoch}"
        for sid, epoch in label_by_key
        if epoch is not None and epoch not in epochs_by_id[sid]
    )
    if missing_epochs:
        raise ValidationDataError(
            f"{labels}: epochs not in the log {log_path}: {_rows_message(missing_epochs)}"
        )
    record = {
        "dataset": "log",
        "log": str(log_path.resolve()),
        "log_task": eval_log.eval.task,
        "log_model": eval_log.eval.model,
        "labels": str(Path(labels).expanduser().resolve()),
        "labels_sha256": hashlib.sha256(Path(labels).expanduser().read_bytes()).hexdigest(),
        "num_samples": len(items),
        "num_positive": sum(i.label for i in items),
        "unlabelled_log_samples": len(samples) - len(items),
    }
    return items, record
