"""A paraphrase directory: K system prompts as plain-text files, and an optional manifest.

Layout (what `af-inspect paraphrase` writes, and what `-T paraphrases=<dir>` reads):

    <dir>/
      01.txt          # one system prompt per file, UTF-8, used verbatim; the id is the file
      02.txt          # name without `.txt` (lower case, digits, `_`): samples `q0000-free-p01`
      manifest.json   # optional: the ids and files in order, their sha256, the source prompt's
                      # sha256 and scenario, the generating model, date and instruction sha256
      rejected/       # optional, never read as paraphrases: the generator's rejected drafts

Without a manifest every top-level `*.txt` file is a paraphrase, in file-name order, so a
directory of hand-written paraphrases needs nothing else. With one, the files it lists are the
paraphrases, and a top-level `*.txt` it does not list is an error (so nothing is run by
accident). A listed file whose sha256 differs from the manifest's (edited after generation) is
used as it is, with a warning, and the log records it as edited.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from af_inspect.errors import UsageError

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "af_inspect.paraphrases/1"
REJECTED_DIR = "rejected"
SUFFIX = ".txt"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")
"""Paraphrase ids appear in sample ids (`-p<id>`) and metric names (`p<id>_gap`)."""

logger = logging.getLogger(__name__)


class ParaphraseError(UsageError):
    """A paraphrase directory or file that cannot be used; the message names the file."""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ParaphraseFile:
    """One paraphrase: its id, file, text and sha256 (of the file's bytes)."""

    id: str
    path: Path
    text: str
    sha256: str
    edited: bool = False
    """The file's sha256 differs from the one its manifest recorded."""

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"id": self.id, "file": str(self.path), "sha256": self.sha256}
        if self.edited:
            record["edited_after_manifest"] = True
        return record


@dataclass(frozen=True)
class ParaphraseSet:
    """The paraphrases of one directory, in order, and its manifest (None without one)."""

    directory: Path
    files: tuple[ParaphraseFile, ...]
    manifest: dict[str, Any] | None = None
    manifest_sha256: str | None = None

    @property
    def ids(self) -> list[str]:
        return [file.id for file in self.files]

    def source_sha256(self) -> str | None:
        """The sha256 of the prompt the paraphrases were generated from, if the manifest says."""
        source = (self.manifest or {}).get("source")
        value = source.get("sha256") if isinstance(source, dict) else None
        return value if isinstance(value, str) else None

    def record(self) -> dict[str, Any]:
        """What the log's task metadata records: the directory, every file with its sha256,
        and the manifest's file, sha256, source and generator."""
        record: dict[str, Any] = {
            "directory": str(self.directory),
            "files": [file.record() for file in self.files],
        }
        if self.manifest is not None:
            record["manifest"] = {
                "file": str(self.directory / MANIFEST_NAME),
                "sha256": self.manifest_sha256,
                "source": self.manifest.get("source"),
                "generator": self.manifest.get("generator"),
            }
        return record


def _check_id(identifier: object, where: str) -> str:
    if not isinstance(identifier, str) or not ID_PATTERN.match(identifier):
        raise ParaphraseError(
            f"{where}: the paraphrase id {identifier!r} must be lower case letters, digits and "
            "'_' (it names samples and metrics); rename the file, e.g. 01.txt."
        )
    return identifier


def _read(path: Path, identifier: str, expected_sha256: object = None) -> ParaphraseFile:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ParaphraseError(f"Paraphrase file {path}: not UTF-8 text.") from None
    if not text.strip():
        raise ParaphraseError(f"Paraphrase file {path}: it is empty.")
    sha256 = hashlib.sha256(data).hexdigest()
    edited = isinstance(expected_sha256, str) and expected_sha256 != sha256
    if edited:
        logger.warning(
            "Paraphrase file %s differs from the sha256 its manifest recorded; it is used as it "
            "is and the log marks it as edited.",
            path,
        )
    return ParaphraseFile(identifier, path, text, sha256, edited)


def load_paraphrases(directory: str | Path) -> ParaphraseSet:
    """The paraphrases of `directory` (see the module docstring); `ParaphraseError` names the
    directory or the file when something is wrong."""
    root = Path(directory).expanduser().resolve()
    if not root.is_dir():
        raise ParaphraseError(
            f"Parameter 'paraphrases': {root} is not a directory; give a directory of "
            f"<id>{SUFFIX} files (e.g. written by `af-inspect paraphrase`)."
        )
    texts = sorted(path for path in root.glob(f"*{SUFFIX}") if path.is_file())
    manifest_path = root / MANIFEST_NAME
    if not manifest_path.is_file():
        if not texts:
            raise ParaphraseError(f"Paraphrase directory {root}: no *{SUFFIX} files.")
        files = [_read(path, _check_id(path.stem, str(path))) for path in texts]
        return ParaphraseSet(root, tuple(files))
    data = manifest_path.read_bytes()
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ParaphraseError(
            f"Paraphrase manifest {manifest_path}: not valid JSON ({error})."
        ) from None
    entries = manifest.get("paraphrases") if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ParaphraseError(
            f"Paraphrase manifest {manifest_path}: expected an object whose 'paraphrases' is a "
            "non-empty list of {id, file, sha256}."
        )
    files = []
    for index, entry in enumerate(entries):
        where = f"Paraphrase manifest {manifest_path}, paraphrases[{index}]"
        if not isinstance(entry, dict):
            raise ParaphraseError(f"{where}: expected an object with 'id' and 'file'.")
        identifier = _check_id(entry.get("id"), where)
        name = entry.get("file", f"{identifier}{SUFFIX}")
        path = (root / str(name)).resolve()
        if path.parent != root or not path.is_file():
            raise ParaphraseError(f"{where}: the file {name!r} is not in {root}.")
        files.append(_read(path, identifier, entry.get("sha256")))
    ids = [file.id for file in files]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ParaphraseError(f"Paraphrase manifest {manifest_path}: ids {repeated} repeat.")
    unlisted = sorted(path.name for path in texts if path not in {file.path for file in files})
    if unlisted:
        raise ParaphraseError(
            f"Paraphrase directory {root}: {', '.join(unlisted)} not listed in {MANIFEST_NAME}; "
            "list them there, or move them out of the directory."
        )
    return ParaphraseSet(root, tuple(files), manifest, hashlib.sha256(data).hexdigest())


def write_text_file(path: Path, text: str) -> str:
    """Write `text` as UTF-8 (no newline translation); returns its sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return sha256_text(text)


def write_manifest(directory: Path, manifest: dict[str, Any]) -> Path:
    path = directory / MANIFEST_NAME
    write_text_file(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return path
