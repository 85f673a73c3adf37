"""The suite's version, read once from `eval.yaml` (the eval's metadata).

Every task passes `EVAL_VERSION` to `Task(version=...)`, so a log says which version of the suite
wrote it; `pyproject.toml` states the same number (a test checks that the two agree) and
`CHANGELOG.md` says what changed in each.
"""

from __future__ import annotations

from importlib.resources import files

import yaml


def _eval_yaml_version() -> str:
    """The `version` field of the package's `eval.yaml`, as a string."""
    metadata = yaml.safe_load(files("af_inspect").joinpath("eval.yaml").read_text(encoding="utf-8"))
    version = metadata.get("version") if isinstance(metadata, dict) else None
    if not isinstance(version, str) or not version.strip():
        raise RuntimeError("af_inspect/eval.yaml has no string 'version' field")
    return version.strip()


EVAL_VERSION: str = _eval_yaml_version()
"""The version in `af_inspect/eval.yaml`, e.g. "0.1.0"."""
