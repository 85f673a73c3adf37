"""Every external text and dataset the suite uses, loaded at run time with provenance.

Why this module exists: the project commits no upstream prose. Prompt templates from
``safety-research/open-source-alignment-faking`` (OSAF), the animal-welfare system prompt from
``redwoodresearch/alignment_faking_public`` and the datasets are fetched from their public
sources when a run needs them, checked against known sha256 hashes, cached on disk, and
every file that was used is recorded (URL, ref, resolved commit, sha256, origin) so an eval log
says exactly which bytes produced it.

Lookup order of :func:`resolve_asset` (the same for Jinja includes, via :class:`AssetJinjaLoader`):

1. **Local override directory** ``$AF_INSPECT_ASSETS_DIR``, laid out like the upstream repo.
   An OSAF file is looked for at ``$DIR/<path>`` (e.g. ``$DIR/prompts/system_prompts/...``).
   Any other asset is looked for at ``$DIR/<source>/<repo>/<path>`` first (e.g.
   ``$DIR/huggingface/LLM-LAT/harmful-dataset/data/train-00000-of-00001.parquet``) and then at
   ``$DIR/<path>``, but the bare ``$DIR/<path>`` is only honoured when no other manifest asset
   shares that repo path (two HF datasets both use ``data/train-00000-of-00001.parquet``, and a
   file meant for one must never be picked up silently for the other). An override file is used
   even when its sha256 differs from the expected one: the user put it there deliberately, so a
   mismatch is logged as a warning (once per asset) instead of refused. The record says
   ``origin=override`` and carries the file's real sha256.
2. **On-disk cache** ``$AF_INSPECT_CACHE_DIR`` (default: the platformdirs user cache dir for
   ``af-inspect``), layout ``<cache>/<source>/<repo>/<resolved_ref>/<path>``. A cached file whose
   sha256 differs from a known expected hash is refused (:class:`AssetChecksumError`), because
   the cache is supposed to hold verified upstream bytes only.
3. **Download** over HTTP(S) with httpx: timeout, bounded retries with backoff on connection
   errors, timeouts and 5xx/429 (never on other 4xx), streamed to a temp file in the target
   directory, verified, then moved into place with ``os.replace``; a failed, partial or
   mismatching download leaves nothing at the final path.

Branch refs (e.g. ``main``) are resolved to a commit SHA once per repo and the resolution is
stored in ``<cache>/refs.json``; later runs reuse it (so every file of a repo comes from the
same commit) until ``af-inspect assets lock --refresh`` re-resolves it. A lock file
(``$AF_INSPECT_LOCK_FILE``, else ``./af_inspect.lock.json``) takes precedence: its repo SHA
replaces a branch ref and its sha256 becomes the enforced expected hash. Hashes and commit pins
written in code win over a lock file; a lock that contradicts them is refused as stale.

Environment variables: ``AF_INSPECT_ASSETS_DIR``, ``AF_INSPECT_CACHE_DIR``,
``AF_INSPECT_LOCK_FILE``, ``AF_INSPECT_HTTP_TIMEOUT`` (seconds, default 30),
``AF_INSPECT_HTTP_RETRIES`` (attempts, default 3), ``AF_INSPECT_HTTP_BACKOFF`` (first backoff
in seconds, doubled per retry, default 1), ``AF_INSPECT_GITHUB_RAW_BASE``,
``AF_INSPECT_GITHUB_API_BASE``, ``AF_INSPECT_HF_BASE`` (URL bases, overridable so tests can
use a loopback server), ``GITHUB_TOKEN`` and ``HF_TOKEN`` (sent as bearer tokens if set).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import jinja2
import platformdirs

from af_inspect.asset_env import DEFAULT_LOCK_FILE_NAME, ENV_ASSETS_DIR, ENV_LOCK_FILE
from af_inspect.errors import UsageError
from af_inspect.types import AssetOrigin

__all__ = [
    "ADVBENCH",
    "HARMFUL_DATASET",
    "HUMAN_LABELS",
    "MANIFEST",
    "OSAF_LICENSE",
    "OSAF_REPO",
    "OSAF_STRONG_REJECT",
    "OSAF_SYSTEM_PROMPT_COT",
    "REDWOOD_ANIMAL_WELFARE_PROMPT",
    "REDWOOD_REPO",
    "AssetChecksumError",
    "AssetError",
    "AssetJinjaLoader",
    "AssetRecord",
    "AssetSpec",
    "AssetUnavailableError",
    "LocalStatus",
    "LockFile",
    "LockResult",
    "ProvenanceCollector",
    "build_lock",
    "cache_dir",
    "collect_provenance",
    "fetch_to_cache",
    "iter_manifest",
    "jinja_environment",
    "load_lock",
    "locate_local",
    "lock_file_path",
    "osaf_spec",
    "override_dir",
    "provenance_metadata",
    "read_text",
    "resolve_asset",
    "write_lock",
]

logger = logging.getLogger(__name__)

ENV_CACHE_DIR = "AF_INSPECT_CACHE_DIR"
ENV_HTTP_TIMEOUT = "AF_INSPECT_HTTP_TIMEOUT"
ENV_HTTP_RETRIES = "AF_INSPECT_HTTP_RETRIES"
ENV_HTTP_BACKOFF = "AF_INSPECT_HTTP_BACKOFF"
ENV_GITHUB_RAW_BASE = "AF_INSPECT_GITHUB_RAW_BASE"
ENV_GITHUB_API_BASE = "AF_INSPECT_GITHUB_API_BASE"
ENV_HF_BASE = "AF_INSPECT_HF_BASE"

DEFAULT_GITHUB_RAW_BASE = "https://raw.githubusercontent.com"
DEFAULT_GITHUB_API_BASE = "https://api.github.com"
DEFAULT_HF_BASE = "https://huggingface.co"
LOCK_VERSION = 1

SOURCES = ("github", "huggingface")
_SHA1_RE = re.compile(r"[0-9a-fA-F]{40}")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 16


def _check_relative_path(path: str, *, what: str) -> None:
    segments = path.split("/")
    if "\\" in path or any(segment in ("", ".", "..") for segment in segments):
        raise ValueError(
            f"{what} must be a relative POSIX path without '.', '..' or '//': {path!r}"
        )


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class AssetError(UsageError, RuntimeError):
    """Base class: an external asset could not be used. The message says what to do next.

    A `UsageError`, so `inspect eval` prints the message alone, without the chained traceback.
    """


class AssetChecksumError(AssetError):
    """Bytes on disk or off the wire do not match the expected sha256; they are not used."""


class AssetUnavailableError(AssetError):
    """The asset is in neither the override directory nor the cache and could not be fetched."""


# --------------------------------------------------------------------------------------------
# Specs and records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetSpec:
    """Where an external file lives upstream and what its bytes should hash to.

    ``path`` is the path inside the upstream repo; it is also the path looked for under the
    override directory. ``ref`` is a full commit SHA / dataset revision, or a branch name that
    is resolved to a SHA at run time. ``sha256`` is enforced when known.
    """

    name: str
    source: str
    repo: str
    path: str
    ref: str
    sha256: str | None
    license: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"AssetSpec {self.name!r}: source must be one of {SOURCES}")
        _check_relative_path(self.path, what=f"AssetSpec {self.name!r} path")
        if self.repo.count("/") != 1 or ".." in self.repo.split("/"):
            raise ValueError(f"AssetSpec {self.name!r}: repo must look like 'owner/name'")
        if not self.ref:
            raise ValueError(f"AssetSpec {self.name!r}: ref must not be empty")
        if self.sha256 is not None and not _SHA256_RE.fullmatch(self.sha256):
            raise ValueError(f"AssetSpec {self.name!r}: sha256 must be 64 lowercase hex digits")

    @property
    def repo_key(self) -> str:
        """The key used for this repo in lock files: ``<source>:<repo>``."""
        return f"{self.source}:{self.repo}"


@dataclass(frozen=True)
class AssetRecord:
    """What an eval log records about one asset that was used."""

    name: str
    source_url: str
    repo: str
    path: str
    ref: str
    resolved_ref: str | None
    sha256: str
    expected_sha256: str | None
    origin: AssetOrigin
    local_path: str
    license: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe dict (the origin enum becomes its string value)."""
        return {
            "name": self.name,
            "source_url": self.source_url,
            "repo": self.repo,
            "path": self.path,
            "ref": self.ref,
            "resolved_ref": self.resolved_ref,
            "sha256": self.sha256,
            "expected_sha256": self.expected_sha256,
            "origin": self.origin.value,
            "local_path": self.local_path,
            "license": self.license,
        }


# --------------------------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------------------------

OSAF_REPO = "safety-research/open-source-alignment-faking"
OSAF_REF = "main"
OSAF_LICENSE = "MIT (Copyright (c) 2025 Safety Research)"
_UNCONFIRMED = "file name reported by forks, not confirmed"

_OSAF_FILES: tuple[tuple[str, str], ...] = (
    ("prompts/system_prompts/helpful-only_prompt-only_cot.jinja2", ""),
    ("prompts/system_prompts/helpful-only_prompt-only_no-cot.jinja2", _UNCONFIRMED),
    ("prompts/system_prompts/helpful-only_synthetic_cot.jinja2", ""),
    ("prompts/system_prompts/helpful-only_synthetic_no-cot.jinja2", ""),
    ("prompts/system_prompts/examples/reasoning_traces.jinja2", ""),
    ("prompts/instruction_formats/free_tier_formats/tags_cot.jinja2", ""),
    ("prompts/instruction_formats/paid_tier_formats/tags_cot.jinja2", ""),
    ("prompts/instruction_formats/free_tier_formats/cot.jinja2", _UNCONFIRMED),
    ("prompts/instruction_formats/paid_tier_formats/cot.jinja2", _UNCONFIRMED),
    ("prompts/instruction_formats/free_tier_formats/no-cot.jinja2", _UNCONFIRMED),
    ("prompts/instruction_formats/paid_tier_formats/no-cot.jinja2", _UNCONFIRMED),
    ("prompts/classifiers/helpful_only_classifiers/strong_reject.jinja2", ""),
    (
        "prompts/classifiers/scratchpad_classifiers/new_classifiers/"
        "deceptive_alignment_majority_vote_v1.jinja",
        "",
    ),
    ("prompts/classifiers/scratchpad_classifiers/new_classifiers/partial_compliance_v1.jinja", ""),
    (
        "prompts/classifiers/scratchpad_classifiers/new_classifiers/helpfulness_categories_v1.jinja",
        "",
    ),
    (
        "prompts/classifiers/scratchpad_classifiers/new_classifiers/"
        "deceptive_alignment_categories_v1.jinja",
        "",
    ),
    ("prompts/classifiers/scratchpad_classifiers/deceptive_alignment_prompt.jinja2", ""),
    ("prompts/classifiers/scratchpad_classifiers/hard_deceptive_alignment_prompt.jinja2", ""),
    ("prompts/classifiers/follow_up_questions/roleplay.jinja2", ""),
    ("prompts/classifiers/follow_up_questions/reasons_for_complying.jinja2", ""),
)


def _osaf_manifest_spec(path: str, note: str) -> AssetSpec:
    return AssetSpec(
        name=f"osaf:{path}",
        source="github",
        repo=OSAF_REPO,
        path=path,
        ref=OSAF_REF,
        sha256=None,
        license=OSAF_LICENSE,
        note=note,
    )


HARMFUL_DATASET = AssetSpec(
    name="hf:LLM-LAT/harmful-dataset:data/train-00000-of-00001.parquet",
    source="huggingface",
    repo="LLM-LAT/harmful-dataset",
    path="data/train-00000-of-00001.parquet",
    ref="8bfba31bc6d93a5b71808fee5275ef4b6330ed91",
    sha256="51a41eaebf21eabec33ea90366d01d5bee7edb933d439c7017ad6e0107a645b1",
    license="see the dataset card (huggingface.co/datasets/LLM-LAT/harmful-dataset)",
    note="revision pin and sha256 come from third-party pins, not from upstream OSAF",
)

ADVBENCH = AssetSpec(
    name="github:llm-attacks/llm-attacks:data/advbench/harmful_behaviors.csv",
    source="github",
    repo="llm-attacks/llm-attacks",
    path="data/advbench/harmful_behaviors.csv",
    ref="main",
    sha256=None,
    license="MIT",
    note=(
        "no upstream pin known; a third-party copy has sha256 "
        "6cd1a5c63c07610d7eb67307772ee5606017ee950b5770ab288a2c487489d3e1 and 520 rows, "
        "identity unchecked (not enforced)"
    ),
)

HUMAN_LABELS = AssetSpec(
    name="hf:jplhughes2/classify_alignment_faking_human_labels:data/train-00000-of-00001.parquet",
    source="huggingface",
    repo="jplhughes2/classify_alignment_faking_human_labels",
    path="data/train-00000-of-00001.parquet",
    ref="main",
    sha256=None,
    license="not established (see the dataset card)",
    note="split train; parquet path and revision not established upstream",
)

REDWOOD_REPO = "redwoodresearch/alignment_faking_public"
"""Greenblatt et al. 2024's own code (Redwood Research); its default branch is `master`."""

REDWOOD_ANIMAL_WELFARE_PROMPT = AssetSpec(
    name=f"github:{REDWOOD_REPO}:model_organism_animal_prompts/prompt_default.txt",
    source="github",
    repo=REDWOOD_REPO,
    path="model_organism_animal_prompts/prompt_default.txt",
    ref="master",
    sha256=None,
    license="not established (a third party describes the repository as MIT)",
    note=(
        "animal-welfare system prompt; repository, path and branch `master` come from "
        "third-party loaders and the 2024 post's links (medium confidence); a third party's zip "
        "names commit 8d98bb786893ac44d02f41eb222eabf302c0aab9 (not checked, not enforced)"
    ),
)

MANIFEST: dict[str, AssetSpec] = {
    spec.name: spec
    for spec in (
        *(_osaf_manifest_spec(path, note) for path, note in _OSAF_FILES),
        HARMFUL_DATASET,
        ADVBENCH,
        HUMAN_LABELS,
        REDWOOD_ANIMAL_WELFARE_PROMPT,
    )
}

OSAF_SYSTEM_PROMPT_COT = MANIFEST["osaf:prompts/system_prompts/helpful-only_prompt-only_cot.jinja2"]
OSAF_STRONG_REJECT = MANIFEST[
    "osaf:prompts/classifiers/helpful_only_classifiers/strong_reject.jinja2"
]


def osaf_spec(path: str) -> AssetSpec:
    """Spec for any file of the upstream OSAF repo, by its repo-relative path.

    Returns the manifest entry when there is one, else an ad-hoc spec (ref ``main``, no known
    hash) so that Jinja includes of files not listed in the manifest go through the same lookup.
    """
    normalised = _normalise_repo_path(path)
    known = MANIFEST.get(f"osaf:{normalised}")
    if known is not None:
        return known
    return AssetSpec(
        name=f"osaf:{normalised}",
        source="github",
        repo=OSAF_REPO,
        path=normalised,
        ref=OSAF_REF,
        sha256=None,
        license=OSAF_LICENSE,
        note="not in MANIFEST; resolved ad hoc (e.g. a Jinja include)",
    )


# --------------------------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------------------------


def _normalise_repo_path(path: str) -> str:
    """Turn a name like './prompts//x.jinja2' into 'prompts/x.jinja2'; refuse '..' (ValueError)."""
    segments = [seg for seg in path.replace("\\", "/").split("/") if seg not in ("", ".")]
    if not segments or ".." in segments:
        raise ValueError(f"not a path inside the upstream repo: {path!r}")
    return "/".join(segments)


def _is_full_sha(ref: str) -> bool:
    return bool(_SHA1_RE.fullmatch(ref))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _env_base(name: str, default: str) -> str:
    return (os.environ.get(name) or default).rstrip("/")


def _file_url(spec: AssetSpec, ref: str) -> str:
    """Download URL of ``spec.path`` at ``ref``."""
    repo, path = quote(spec.repo, safe="/"), quote(spec.path, safe="/")
    if spec.source == "github":
        return f"{_env_base(ENV_GITHUB_RAW_BASE, DEFAULT_GITHUB_RAW_BASE)}/{repo}/{ref}/{path}"
    return f"{_env_base(ENV_HF_BASE, DEFAULT_HF_BASE)}/datasets/{repo}/resolve/{ref}/{path}"


def _ref_api_url(spec: AssetSpec) -> str:
    """API URL that turns a branch ref into a commit SHA (JSON field ``sha``)."""
    repo, ref = quote(spec.repo, safe="/"), quote(spec.ref, safe="")
    if spec.source == "github":
        api = _env_base(ENV_GITHUB_API_BASE, DEFAULT_GITHUB_API_BASE)
        return f"{api}/repos/{repo}/commits/{ref}"
    return f"{_env_base(ENV_HF_BASE, DEFAULT_HF_BASE)}/api/datasets/{repo}/revision/{ref}"


def _auth_headers(source: str) -> dict[str, str]:
    token = os.environ.get("GITHUB_TOKEN" if source == "github" else "HF_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def _token_var(source: str) -> str:
    return "GITHUB_TOKEN" if source == "github" else "HF_TOKEN"


def _ref_key(spec: AssetSpec) -> str:
    return f"{spec.repo_key}@{spec.ref}"


def cache_dir() -> Path:
    """Root of the on-disk cache: ``$AF_INSPECT_CACHE_DIR`` or the platformdirs user cache."""
    configured = os.environ.get(ENV_CACHE_DIR)
    if configured:
        return Path(configured).expanduser()
    return Path(platformdirs.user_cache_dir("af-inspect"))


def override_dir() -> Path | None:
    """The local override directory ``$AF_INSPECT_ASSETS_DIR``, or None when unset."""
    configured = os.environ.get(ENV_ASSETS_DIR)
    return Path(configured).expanduser() if configured else None


def _cache_path(root: Path, spec: AssetSpec, resolved_ref: str) -> Path:
    return root / spec.source / spec.repo / resolved_ref / spec.path


def _refs_file(root: Path) -> Path:
    return root / "refs.json"


def _path_is_shared(spec: AssetSpec) -> bool:
    """True if another manifest asset (from another repo) has the same repo path."""
    return any(
        other.path == spec.path and other.repo_key != spec.repo_key for other in MANIFEST.values()
    )


def _override_candidates(spec: AssetSpec, root: Path) -> list[Path]:
    """Where an asset is looked for under the override dir, in order (see module docstring)."""
    if spec.source == "github" and spec.repo == OSAF_REPO:
        return [root / spec.path]
    candidates = [root / spec.source / spec.repo / spec.path]
    if not _path_is_shared(spec):
        candidates.append(root / spec.path)
    return candidates


def _override_sentence(root: Path | None, looked_for: list[Path]) -> str:
    if root is None:
        return f"{ENV_ASSETS_DIR} is not set, so no local override directory was searched."
    missing_dir = "" if root.is_dir() else " (that directory does not exist)"
    paths = " or ".join(str(p) for p in looked_for)
    return (
        f"{ENV_ASSETS_DIR} is set to {root}{missing_dir}, but the file was not found in the "
        f"override dir at {paths}."
    )


def _offline_hint(spec: AssetSpec) -> str:
    placement = (
        f"$AF_INSPECT_ASSETS_DIR/{spec.path}"
        if spec.repo == OSAF_REPO
        else f"$AF_INSPECT_ASSETS_DIR/{spec.source}/{spec.repo}/{spec.path}"
    )
    return (
        f"To run without network access, set {ENV_ASSETS_DIR} to a directory laid out like "
        "the upstream repository (prompts/system_prompts/..., prompts/instruction_formats/"
        "<tier>_tier_formats/..., datasets under huggingface/<org>/<repo>/...; docs/assets.md), "
        f"with this file at {placement}; or run `af-inspect assets fetch` "
        f"where the network is reachable and copy the cache directory ({ENV_CACHE_DIR})."
    )


# --------------------------------------------------------------------------------------------
# Warnings (once per asset and kind)
# --------------------------------------------------------------------------------------------

_WARNED: set[tuple[str, str]] = set()
_WARNED_LOCK = threading.Lock()


def _warn_once(kind: str, name: str, message: str) -> None:
    with _WARNED_LOCK:
        if (kind, name) in _WARNED:
            return
        _WARNED.add((kind, name))
    logger.warning(message)


def _reset_process_state() -> None:
    """Forget which warnings were issued (for tests)."""
    with _WARNED_LOCK:
        _WARNED.clear()


# --------------------------------------------------------------------------------------------
# Provenance collection
# --------------------------------------------------------------------------------------------


class ProvenanceCollector:
    """Accumulates the :class:`AssetRecord` of every asset resolved while it is active.

    Use ``with collect_provenance() as records:``. Active collectors live in a ContextVar, so
    concurrent asyncio tasks (each with its own context) do not see each other's records;
    nested collectors all receive the records resolved inside the innermost one. Records are
    deduplicated by asset name (the first one wins).
    """

    def __init__(self) -> None:
        self.records: list[AssetRecord] = []
        self._names: set[str] = set()
        self._lock = threading.Lock()
        self._tokens: list[Token[tuple[ProvenanceCollector, ...]]] = []

    def add(self, record: AssetRecord) -> None:
        with self._lock:
            if record.name not in self._names:
                self._names.add(record.name)
                self.records.append(record)

    def __enter__(self) -> list[AssetRecord]:
        self._tokens.append(_ACTIVE_COLLECTORS.set((*_ACTIVE_COLLECTORS.get(), self)))
        return self.records

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        _ACTIVE_COLLECTORS.reset(self._tokens.pop())


_ACTIVE_COLLECTORS: ContextVar[tuple[ProvenanceCollector, ...]] = ContextVar(
    "af_inspect_asset_collectors", default=()
)


def collect_provenance() -> ProvenanceCollector:
    """A fresh collector; ``with collect_provenance() as records:`` gathers asset records."""
    return ProvenanceCollector()


def _register(record: AssetRecord) -> None:
    for collector in _ACTIVE_COLLECTORS.get():
        collector.add(record)


def provenance_metadata(records: Iterable[AssetRecord]) -> list[dict[str, Any]]:
    """JSON-safe list for ``Task(metadata={"assets": ...})``, deduplicated by asset name."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for record in records:
        if record.name not in seen:
            seen.add(record.name)
            out.append(record.as_dict())
    return out


# --------------------------------------------------------------------------------------------
# Lock file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockFile:
    """A parsed lock file: repo key -> commit SHA, asset name -> {ref, sha256, source_url}."""

    path: Path
    repos: Mapping[str, str] = field(default_factory=dict)
    assets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def lock_file_path() -> Path | None:
    """The lock file runs honour: ``$AF_INSPECT_LOCK_FILE``, else ``./af_inspect.lock.json``."""
    configured = os.environ.get(ENV_LOCK_FILE)
    if configured:
        return Path(configured).expanduser()
    default = Path.cwd() / DEFAULT_LOCK_FILE_NAME
    return default if default.is_file() else None


def _parse_lock(path: Path, data: Any) -> LockFile:
    """Validate lock JSON; raise AssetError naming the file and the problem."""

    def bad(problem: str) -> AssetError:
        return AssetError(
            f"Lock file {path} is invalid: {problem}. Regenerate it with `af-inspect assets "
            f"lock --output {path}` or remove it (and unset {ENV_LOCK_FILE})."
        )

    if not isinstance(data, dict) or data.get("version") != LOCK_VERSION:
        raise bad(f'expected a JSON object with "version": {LOCK_VERSION}')
    repos, assets = data.get("repos", {}), data.get("assets", {})
    if not isinstance(repos, dict) or not isinstance(assets, dict):
        raise bad('"repos" and "assets" must be JSON objects')
    for key, sha in repos.items():
        if not isinstance(sha, str) or not _is_full_sha(sha):
            raise bad(f"repo {key!r} must map to a 40-hex commit SHA, got {sha!r}")
    for name, entry in assets.items():
        if not isinstance(entry, dict):
            raise bad(f"asset {name!r} must be a JSON object")
        ref, digest = entry.get("ref"), entry.get("sha256")
        if ref is not None and not (isinstance(ref, str) and _is_full_sha(ref)):
            raise bad(f"asset {name!r} has ref {ref!r}, not a 40-hex commit SHA")
        if digest is not None and not (isinstance(digest, str) and _SHA256_RE.fullmatch(digest)):
            raise bad(f"asset {name!r} has sha256 {digest!r}, not 64 lowercase hex digits")
    return LockFile(
        path=path,
        repos={k: v.lower() for k, v in repos.items()},
        assets={k: {kk: str(vv) for kk, vv in v.items()} for k, v in assets.items()},
    )


def load_lock(path: Path | None = None) -> LockFile | None:
    """Load the lock file runs honour (or ``path``); None when there is none."""
    path = path if path is not None else lock_file_path()
    if path is None:
        return None
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError as exc:
        raise AssetError(
            f"Lock file {path} (from {ENV_LOCK_FILE}) does not exist. Create it with "
            f"`af-inspect assets lock --output {path}` or unset {ENV_LOCK_FILE}."
        ) from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise AssetError(f"Lock file {path} could not be read as JSON: {exc}.") from exc
    return _parse_lock(path, data)


@dataclass(frozen=True)
class _Pin:
    """The ref and expected hash to use for one asset after applying code pins and the lock."""

    ref: str | None  # a full SHA, or None when a branch still has to be resolved
    expected_sha256: str | None
    expected_from: str  # human-readable origin of the expected hash, for error messages


def _pin_for(spec: AssetSpec, lock: LockFile | None) -> _Pin:
    """Combine the spec and the lock. Code pins win; a contradicting lock is refused as stale."""
    entry = lock.assets.get(spec.name, {}) if lock else {}
    locked_ref = entry.get("ref") or (lock.repos.get(spec.repo_key) if lock else None)
    locked_sha256 = entry.get("sha256")

    def stale(what: str, code_value: str, lock_value: str) -> AssetError:
        assert lock is not None
        return AssetError(
            f"Lock file {lock.path} records {what} {lock_value} for asset '{spec.name}', but "
            f"the code pins {code_value}. The lock is stale: regenerate it with `af-inspect "
            f"assets lock --refresh --output {lock.path}` or remove it."
        )

    if _is_full_sha(spec.ref):
        ref: str | None = spec.ref.lower()
        if entry.get("ref") and entry["ref"].lower() != ref:
            raise stale("ref", spec.ref, entry["ref"])
    else:
        ref = locked_ref.lower() if locked_ref else None

    if spec.sha256 is not None:
        if locked_sha256 and locked_sha256 != spec.sha256:
            raise stale("sha256", spec.sha256, locked_sha256)
        return _Pin(ref, spec.sha256, "the hash pinned in af_inspect.assets")
    if locked_sha256 and lock is not None:
        return _Pin(ref, locked_sha256, f"the lock file {lock.path}")
    return _Pin(ref, None, "")


def write_lock(data: Mapping[str, Any], path: Path) -> None:
    """Write lock JSON atomically (temp file + os.replace)."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    _atomic_write_text(path, text)


def _atomic_write_text(path: Path, text: str) -> None:
    """Write to a temp file beside `path`, then replace it: `path` is never half-written.

    The file keeps the mode of the one it replaces, else gets the usual mode for a new file
    (0666 minus the umask), not the 0600 of a temp file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """The process umask (reading it means setting it; restored at once)."""
    with _UMASK_LOCK:
        current = os.umask(0o022)
        os.umask(current)
    return current


_UMASK_LOCK = threading.Lock()


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _HttpSettings:
    timeout: float
    attempts: int
    backoff: float


def _env_number(name: str, default: float, minimum: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise AssetError(f"{name}={raw!r} is not a number; unset it or give a number.") from exc
    if value < minimum:
        raise AssetError(f"{name}={raw!r} must be at least {minimum}.")
    return value


def _http_settings() -> _HttpSettings:
    return _HttpSettings(
        timeout=_env_number(ENV_HTTP_TIMEOUT, 30.0, 0.001),
        attempts=int(_env_number(ENV_HTTP_RETRIES, 3, 1)),
        backoff=_env_number(ENV_HTTP_BACKOFF, 1.0, 0.0),
    )


class _HttpFailure(Exception):
    """Internal: why an HTTP request failed, and whether trying again could help."""

    def __init__(self, reason: str, *, status: int | None = None, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retryable = retryable


_T = TypeVar("_T")


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once (building it costs ~60 ms per client)."""
    return httpx.create_ssl_context()


def _status_failure(response: httpx.Response, source: str) -> _HttpFailure:
    status = response.status_code
    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status in (401, 403):
        reason += f" (access denied or rate-limited; set {_token_var(source)} if you have one)"
    elif status == 404:
        reason += " (not found at this ref; the path or ref may be wrong)"
    return _HttpFailure(reason, status=status, retryable=status >= 500 or status == 429)


def _attempt(
    url: str,
    *,
    source: str,
    headers: Mapping[str, str],
    timeout: float,
    consume: Callable[[httpx.Response], _T],
) -> _T:
    """One GET; httpx errors and HTTP error statuses become :class:`_HttpFailure`."""
    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, headers=headers, verify=_ssl_context()
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise _status_failure(response, source)
            return consume(response)
    except httpx.TimeoutException as exc:
        reason = f"timed out after {timeout:g} s ({ENV_HTTP_TIMEOUT}): {type(exc).__name__}"
        raise _HttpFailure(reason, retryable=True) from exc
    except httpx.UnsupportedProtocol as exc:
        raise _HttpFailure(f"unsupported URL: {exc}", retryable=False) from exc
    except httpx.TransportError as exc:  # refused, reset, DNS, dropped mid-body, ...
        reason = f"network error: {type(exc).__name__}: {exc}"
        raise _HttpFailure(reason, retryable=True) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _HttpFailure(f"{type(exc).__name__}: {exc}", retryable=False) from exc


def _request(
    url: str, *, source: str, headers: Mapping[str, str], consume: Callable[[httpx.Response], _T]
) -> _T:
    """GET ``url`` and hand the streamed response to ``consume``, with bounded retries.

    Retries (with exponential backoff) on connection errors, timeouts, dropped bodies and
    5xx/429 responses; any other status fails at once. Raises :class:`_HttpFailure` (chained
    from the httpx error) so callers can build a message with their own context. Exceptions
    raised by ``consume`` that are not httpx errors (e.g. a checksum mismatch) propagate as is.
    """
    settings = _http_settings()
    all_headers = {"User-Agent": "af-inspect", **_auth_headers(source), **headers}
    attempt = 1
    while True:
        try:
            return _attempt(
                url, source=source, headers=all_headers, timeout=settings.timeout, consume=consume
            )
        except _HttpFailure as failure:
            if not failure.retryable or attempt >= settings.attempts:
                if attempt > 1:
                    failure.reason += f" (after {attempt} attempts)"
                raise
            delay = settings.backoff * (2 ** (attempt - 1))
            logger.info("GET %s failed (%s); retrying in %.1f s", url, failure.reason, delay)
            time.sleep(delay)
            attempt += 1


def _read_json_sha(response: httpx.Response) -> str:
    try:
        response.read()
        sha = response.json().get("sha")
    except (ValueError, AttributeError) as exc:
        raise _HttpFailure(
            f"response is not JSON with a 'sha' field: {exc}", retryable=False
        ) from exc
    if not isinstance(sha, str) or not _is_full_sha(sha):
        raise _HttpFailure(f"response field 'sha' is not a 40-hex SHA: {sha!r}", retryable=False)
    return sha.lower()


def _checksum_message_download(
    spec: AssetSpec, url: str, final: Path, actual: str, pin: _Pin
) -> str:
    return (
        f"Downloaded {url} for asset '{spec.name}', but its sha256 is {actual} while "
        f"{pin.expected_sha256} was expected (from {pin.expected_from}). The download was "
        f"discarded; nothing was written to {final}. The upstream bytes at this ref differ from "
        "the pinned hash: check the ref and the pin, or, if you have vetted a copy, put it in "
        f"{ENV_ASSETS_DIR}."
    )


def _stream_to_file(
    response: httpx.Response, final: Path, *, spec: AssetSpec, url: str, pin: _Pin
) -> str:
    """Write the body to a temp file next to ``final``, verify it, then os.replace it in.

    A dropped connection, a checksum mismatch or any other error removes the temp file, so a
    partial or wrong download never appears at ``final``.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as handle:
            for chunk in response.iter_bytes(_CHUNK):
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        actual = digest.hexdigest()
        if pin.expected_sha256 is not None and actual != pin.expected_sha256:
            raise AssetChecksumError(_checksum_message_download(spec, url, final, actual, pin))
        os.replace(tmp, final)
        return actual
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------------------------
# Ref resolution
# --------------------------------------------------------------------------------------------

_REFS_LOCK = threading.Lock()


def _read_refs(root: Path) -> dict[str, Any]:
    path = _refs_file(root)
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as exc:
        logger.warning("Ignoring unreadable ref cache %s (%s); it will be rewritten.", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _cached_ref(root: Path, spec: AssetSpec) -> str | None:
    entry = _read_refs(root).get(_ref_key(spec))
    sha = entry.get("sha") if isinstance(entry, dict) else None
    return sha.lower() if isinstance(sha, str) and _is_full_sha(sha) else None


def _store_ref(root: Path, spec: AssetSpec, sha: str, api_url: str) -> None:
    refs = _read_refs(root)
    refs[_ref_key(spec)] = {
        "sha": sha,
        "api_url": api_url,
        "resolved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    try:
        _atomic_write_text(_refs_file(root), json.dumps(refs, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise _cache_write_error(_refs_file(root), exc) from exc


def _cache_write_error(path: Path, exc: OSError) -> AssetError:
    return AssetError(
        f"Could not write {path} in the asset cache ({exc}). Make the directory writable or "
        f"point {ENV_CACHE_DIR} at a writable directory."
    )


def _offline_ref(spec: AssetSpec, pin: _Pin, root: Path) -> str | None:
    """The commit the asset resolves to without touching the network, if known."""
    return pin.ref or _cached_ref(root, spec)


def _resolve_ref(
    spec: AssetSpec, pin: _Pin, root: Path, *, refresh: bool, override_note: str
) -> str:
    """Commit SHA to fetch ``spec`` at: code pin, lock, ``refs.json``, else the API (stored).

    With ``refresh`` the API is asked even when ``refs.json`` has an answer; if the API is then
    unreachable the cached answer is still used (with a warning).
    """
    if pin.ref is not None:
        return pin.ref
    api_url = _ref_api_url(spec)
    with _REFS_LOCK:
        cached = _cached_ref(root, spec)
        if cached is not None and not refresh:
            return cached
        headers = {"Accept": "application/vnd.github+json"} if spec.source == "github" else {}
        try:
            sha = _request(api_url, source=spec.source, headers=headers, consume=_read_json_sha)
        except _HttpFailure as failure:
            if cached is not None:
                logger.warning(
                    "Could not re-resolve %s (%s); using the cached resolution %s.",
                    _ref_key(spec),
                    failure.reason,
                    cached,
                )
                return cached
            raise AssetUnavailableError(
                f"Asset '{spec.name}' is not available: it is not in the cache, and resolving "
                f"ref '{spec.ref}' of {spec.source} repo {spec.repo} to a commit SHA failed "
                f"({failure.reason}; API URL: {api_url}). "
                f"No resolution is cached in {_refs_file(root)} (cache dir {root}, set by "
                f"{ENV_CACHE_DIR}) and no lock file pins this repo. {override_note} "
                f"{_offline_hint(spec)}"
            ) from failure
        _store_ref(root, spec, sha, api_url)
        return sha


# --------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------


def _make_record(
    spec: AssetSpec,
    *,
    resolved_ref: str | None,
    sha256: str,
    pin: _Pin,
    origin: AssetOrigin,
    local_path: Path,
) -> AssetRecord:
    return AssetRecord(
        name=spec.name,
        source_url=_file_url(spec, resolved_ref or spec.ref),
        repo=spec.repo,
        path=spec.path,
        ref=spec.ref,
        resolved_ref=resolved_ref,
        sha256=sha256,
        expected_sha256=pin.expected_sha256,
        origin=origin,
        local_path=str(local_path),
        license=spec.license,
    )


def _from_override(
    spec: AssetSpec, pin: _Pin, candidates: list[Path], root: Path
) -> tuple[Path, AssetRecord] | None:
    for candidate in candidates:
        if not candidate.is_file():
            continue
        actual = _sha256_file(candidate)
        if pin.expected_sha256 is not None and actual != pin.expected_sha256:
            _warn_once(
                "override-mismatch",
                spec.name,
                f"Using override file {candidate} for asset '{spec.name}' although its sha256 "
                f"{actual} differs from the expected {pin.expected_sha256} (from "
                f"{pin.expected_from}). Override files are used as given; the log records the "
                "actual hash.",
            )
        record = _make_record(
            spec,
            resolved_ref=_offline_ref(spec, pin, root),
            sha256=actual,
            pin=pin,
            origin=AssetOrigin.OVERRIDE,
            local_path=candidate,
        )
        return candidate, record
    return None


def _warn_unverified(spec: AssetSpec, actual: str, path: Path) -> None:
    _warn_once(
        "unverified",
        spec.name,
        f"Asset '{spec.name}' has no known sha256; using {path} with sha256 {actual} "
        "(recorded in the log). Pin it with `af-inspect assets lock`.",
    )


def _from_cache(spec: AssetSpec, pin: _Pin, target: Path, resolved: str) -> AssetRecord | None:
    """Record for a cached copy at ``target``; refuses one that contradicts a known hash."""
    if not target.is_file():
        return None
    actual = _sha256_file(target)
    if pin.expected_sha256 is not None and actual != pin.expected_sha256:
        raise AssetChecksumError(
            f"Cached file {target} for asset '{spec.name}' has sha256 {actual}, but "
            f"{pin.expected_sha256} was expected (from {pin.expected_from}). Source URL: "
            f"{_file_url(spec, resolved)}. The cached copy was modified or is corrupt, so it "
            f"is refused. Delete {target} and run again (or `af-inspect assets fetch "
            f"{spec.name}`) to download a fresh copy."
        )
    if pin.expected_sha256 is None:
        _warn_unverified(spec, actual, target)
    return _make_record(
        spec,
        resolved_ref=resolved,
        sha256=actual,
        pin=pin,
        origin=AssetOrigin.CACHE,
        local_path=target,
    )


def _download(
    spec: AssetSpec, pin: _Pin, target: Path, resolved: str, override_note: str
) -> AssetRecord:
    """Download into ``target`` atomically (verified first) and return its record."""
    url = _file_url(spec, resolved)
    try:
        actual = _request(
            url,
            source=spec.source,
            headers={},
            consume=lambda response: _stream_to_file(response, target, spec=spec, url=url, pin=pin),
        )
    except _HttpFailure as failure:
        raise AssetUnavailableError(
            f"Could not obtain asset '{spec.name}': downloading {url} failed ({failure.reason}), "
            f"and there is no cached copy at {target}. {override_note} {_offline_hint(spec)}"
        ) from failure
    except OSError as exc:
        raise _cache_write_error(target, exc) from exc
    if pin.expected_sha256 is None:
        _warn_unverified(spec, actual, target)
    return _make_record(
        spec,
        resolved_ref=resolved,
        sha256=actual,
        pin=pin,
        origin=AssetOrigin.DOWNLOAD,
        local_path=target,
    )


def _resolve(
    spec: AssetSpec,
    *,
    lock: LockFile | None,
    use_override: bool = True,
    refresh_refs: bool = False,
) -> tuple[Path, AssetRecord]:
    """The lookup behind :func:`resolve_asset` (override -> cache -> download), unregistered."""
    pin = _pin_for(spec, lock)
    root = cache_dir()
    override_root = override_dir() if use_override else None
    candidates = _override_candidates(spec, override_root) if override_root else []
    if override_root is not None:
        found = _from_override(spec, pin, candidates, root)
        if found is not None:
            return found
    override_note = (
        _override_sentence(override_root, candidates)
        if use_override
        else "The override directory was deliberately skipped for this operation."
    )
    resolved = _resolve_ref(spec, pin, root, refresh=refresh_refs, override_note=override_note)
    target = _cache_path(root, spec, resolved)
    record = _from_cache(spec, pin, target, resolved) or _download(
        spec, pin, target, resolved, override_note
    )
    return target, record


def resolve_asset(spec: AssetSpec) -> tuple[Path, AssetRecord]:
    """Local path and provenance record for ``spec``; the record goes to active collectors.

    Lookup: override dir (used even on a hash mismatch, with a warning) -> cache (refused on a
    hash mismatch) -> download (verified before it is moved into the cache). Raises
    :class:`AssetChecksumError` or :class:`AssetUnavailableError` (both :class:`AssetError`).
    """
    path, record = _resolve(spec, lock=load_lock())
    _register(record)
    return path, record


def read_text(spec: AssetSpec) -> tuple[str, AssetRecord]:
    """The asset decoded as UTF-8, byte for byte (no newline translation), and its record."""
    path, record = resolve_asset(spec)
    try:
        return path.read_bytes().decode("utf-8"), record
    except UnicodeDecodeError as exc:
        raise AssetError(
            f"Asset '{spec.name}' at {path} is not valid UTF-8 text ({exc}); it cannot be used "
            "as a prompt template."
        ) from exc


def fetch_to_cache(spec: AssetSpec, *, refresh_refs: bool = False) -> tuple[Path, AssetRecord]:
    """Make sure ``spec`` is in the cache (ignoring the override dir); no provenance recorded.

    An existing lock file is honoured (a configured but missing one is ignored, so that
    ``af-inspect assets lock`` can create it). With ``refresh_refs`` branch refs are
    re-resolved through the API and no lock file is consulted (``assets lock --refresh``).
    """
    lock = None if refresh_refs else _existing_lock()
    return _resolve(spec, lock=lock, use_override=False, refresh_refs=refresh_refs)


def _existing_lock() -> LockFile | None:
    """The lock file runs honour, or None if it is configured but does not exist (yet)."""
    path = lock_file_path()
    return load_lock(path) if path is not None and path.is_file() else None


# --------------------------------------------------------------------------------------------
# Offline status and lock building (used by the CLI)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalStatus:
    """Whether an asset is usable right now without network, and from where."""

    origin: AssetOrigin | None
    path: Path | None
    resolved_ref: str | None
    expected_sha256: str | None  # after applying the lock file
    detail: str


def locate_local(spec: AssetSpec) -> LocalStatus:
    """Check the override dir and the cache for ``spec`` without any network access."""
    pin = _pin_for(spec, _existing_lock())
    root = cache_dir()
    resolved = _offline_ref(spec, pin, root)
    override_root = override_dir()
    if override_root is not None:
        for candidate in _override_candidates(spec, override_root):
            if candidate.is_file():
                return LocalStatus(
                    AssetOrigin.OVERRIDE, candidate, resolved, pin.expected_sha256, "override"
                )
    if resolved is None:
        detail = "missing (branch ref not resolved yet)"
        return LocalStatus(None, None, None, pin.expected_sha256, detail)
    target = _cache_path(root, spec, resolved)
    if not target.is_file():
        return LocalStatus(None, None, resolved, pin.expected_sha256, "missing")
    if pin.expected_sha256 is not None and _sha256_file(target) != pin.expected_sha256:
        detail = "cache (sha256 MISMATCH, refused)"
        return LocalStatus(None, target, resolved, pin.expected_sha256, detail)
    return LocalStatus(AssetOrigin.CACHE, target, resolved, pin.expected_sha256, "cache")


@dataclass
class LockResult:
    """Outcome of :func:`build_lock`: the lock JSON, the assets that failed with why, and the
    assets not tried because the network was found unreachable (``offline``)."""

    data: dict[str, Any]
    failures: list[tuple[AssetSpec, AssetError]] = field(default_factory=list)
    not_tried: list[AssetSpec] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return bool(self.not_tried) or any(_is_network_failure(e) for _, e in self.failures)


def _is_network_failure(error: BaseException) -> bool:
    """True when the error comes from a request that got no HTTP answer at all (refused, DNS,
    timeout): the network, not the asset, is the problem, so other assets would fail alike."""
    cause = error.__cause__
    return isinstance(cause, _HttpFailure) and cause.status is None and cause.retryable


def build_lock(specs: Iterable[AssetSpec], *, refresh: bool = False) -> LockResult:
    """Resolve (downloading if needed) every spec and build lock JSON.

    An asset that fails is reported and the others are still tried, except when the failure
    shows the network is unreachable: then the remaining assets are listed in ``not_tried``
    instead of each waiting for its own retries. The override directory is ignored: a lock
    pins upstream bytes, not local substitutes. With ``refresh`` branch refs are re-resolved
    through the API instead of ``refs.json``, and an existing lock file is not consulted.
    """
    repos: dict[str, str] = {}
    assets: dict[str, dict[str, str]] = {}
    failures: list[tuple[AssetSpec, AssetError]] = []
    pending = list(specs)
    while pending:
        spec = pending.pop(0)
        try:
            _, record = fetch_to_cache(spec, refresh_refs=refresh)
        except AssetError as exc:
            failures.append((spec, exc))
            if _is_network_failure(exc):
                break
            continue
        assert record.resolved_ref is not None
        repos.setdefault(spec.repo_key, record.resolved_ref)
        assets[spec.name] = {
            "ref": record.resolved_ref,
            "sha256": record.sha256,
            "source_url": record.source_url,
        }
    data = {"version": LOCK_VERSION, "repos": repos, "assets": assets}
    return LockResult(data=data, failures=failures, not_tried=pending)


# --------------------------------------------------------------------------------------------
# Jinja
# --------------------------------------------------------------------------------------------


class AssetJinjaLoader(jinja2.BaseLoader):
    """Jinja loader whose template names are upstream repo paths, resolved like any asset.

    Upstream renders with ``FileSystemLoader(<repo root>)`` and root-relative includes such as
    ``'prompts/system_prompts/examples/reasoning_traces.jinja2'``; resolving those names through
    :func:`resolve_asset` keeps includes under the same override/cache/download/provenance rules.
    The ``uptodate`` callback re-registers the record, so a template served from Jinja's cache
    still shows up in the provenance of a later ``collect_provenance()`` block.
    """

    def __init__(self, spec_for: Callable[[str], AssetSpec] = osaf_spec) -> None:
        self._spec_for = spec_for

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        try:
            spec = self._spec_for(_normalise_repo_path(template))
        except ValueError as exc:
            raise jinja2.TemplateNotFound(template) from exc
        text, record = read_text(spec)

        def uptodate() -> bool:
            _register(record)
            return True

        return text, record.local_path, uptodate


def jinja_environment() -> jinja2.Environment:
    """Jinja environment matching upstream's ``load_prompt_file`` (defaults, no autoescape), except
    that an undefined variable is an error (`StrictUndefined`) instead of silent empty text."""
    return jinja2.Environment(
        loader=AssetJinjaLoader(), autoescape=False, undefined=jinja2.StrictUndefined
    )


def iter_manifest() -> Iterator[AssetSpec]:
    """Manifest specs in a stable order (by name)."""
    for name in sorted(MANIFEST):
        yield MANIFEST[name]
