"""Command line entry point ``af-inspect``.

The parser is a dispatcher: each command group registers its own sub-parser and sets a
``handler`` (``Callable[[argparse.Namespace], int]``) via ``set_defaults``; :func:`main` just
parses and calls it. To add a command group (e.g. ``report``), write a ``_register_<group>``
function and append it to :data:`COMMAND_GROUPS`.

Commands:

* ``af-inspect assets show``: the manifest with refs, expected hashes and whether each asset is
  available from the override dir or the cache right now (no network).
* ``af-inspect assets fetch [NAMES...]``: download assets into the cache.
* ``af-inspect assets lock [--output PATH] [--refresh] [NAMES...]``: resolve every asset and
  write a lock file pinning repo commits and sha256 hashes (with NAMES, the entries are
  merged into an existing lock file at PATH). The file is written only when every asset
  resolved, so a failed run leaves an existing lock byte for byte; offline it stops at the
  first network failure.
* ``af-inspect paraphrase --model M --k K --out DIR [--scenario S] [--variant V] [--seed N]``:
  write K checked paraphrases of a scenario's system prompt (``af_inspect.paraphrases``).
* ``af-inspect report LOGS... [--out DIR] [--all]``: tables (summary.md, summary.csv) and figures
  (compliance.png, contrasts.png) from eval logs; see `af_inspect.results.report`.
* ``af-inspect sweep [--models NAME...] [--provider P...] [--only-gap] [--task T] [--log-dir DIR]
  [--dry-run] [-- INSPECT ARGS]``: the paper's chat models (`af_inspect/paper_models.yaml`) with
  ``inspect eval-set``, after printing the number of samples and API calls and a cost estimate;
  see `af_inspect.sweeps` and docs/sweeps.md.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from af_inspect.asset_env import DEFAULT_LOCK_FILE_NAME, ENV_LOCK_FILE

if TYPE_CHECKING:
    from af_inspect.assets import AssetError, AssetSpec, LockFile

# Start-up time: this module imports nothing of Inspect (nor the asset code, whose error type
# derives from Inspect's). Each command imports what it needs in its handler, so
# `af-inspect report --help` or `af-inspect sweep --dry-run` does not load every task module.

Handler: TypeAlias = Callable[[argparse.Namespace], int]
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

EXIT_OK = 0
EXIT_FAILURE = 1


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def select_specs(names: Sequence[str]) -> list[AssetSpec]:
    """Specs for ``names`` (all manifest assets if empty).

    A name is a manifest name (``osaf:prompts/...``), an ``osaf:<path>`` not in the manifest,
    or a repo path that matches exactly one manifest asset.
    """
    from af_inspect import assets
    from af_inspect.assets import AssetError

    if not names:
        return list(assets.iter_manifest())
    selected: list[AssetSpec] = []
    for name in names:
        if name in assets.MANIFEST:
            selected.append(assets.MANIFEST[name])
            continue
        if name.startswith("osaf:"):
            try:
                selected.append(assets.osaf_spec(name.removeprefix("osaf:")))
            except ValueError as exc:
                raise AssetError(f"'{name}' is not a valid OSAF repo path: {exc}") from exc
            continue
        by_path = [spec for spec in assets.MANIFEST.values() if spec.path == name]
        if len(by_path) == 1:
            selected.append(by_path[0])
            continue
        problem = "matches several assets" if by_path else "is not a known asset"
        raise AssetError(
            f"'{name}' {problem}; give a full asset name as listed by `af-inspect assets show`."
        )
    return selected


def _short(sha: str | None, width: int = 12) -> str:
    return sha[:width] if sha else "-"


def _print_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )


def _report_failures(failures: Sequence[tuple[AssetSpec, AssetError]]) -> None:
    for spec, error in failures:
        print(f"FAILED {spec.name}: {error}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# assets
# --------------------------------------------------------------------------------------------


def _cmd_assets_show(args: argparse.Namespace) -> int:
    from af_inspect import assets

    rows = []
    for spec in select_specs(args.names):
        status = assets.locate_local(spec)
        resolved = status.resolved_ref
        ref = spec.ref if resolved in (None, spec.ref) else f"{spec.ref} ({_short(resolved)})"
        rows.append([spec.name, ref, status.expected_sha256 or "-", status.detail])
    _print_table(rows, ["NAME", "REF", "EXPECTED_SHA256", "LOCAL"])
    lock = assets.lock_file_path()
    lock_text = "none" if lock is None else f"{lock}{'' if lock.is_file() else ' (missing)'}"
    print(
        f"\ncache: {assets.cache_dir()}   override ({assets.ENV_ASSETS_DIR}): "
        f"{assets.override_dir() or 'not set'}   lock: {lock_text}"
    )
    return EXIT_OK


def _cmd_assets_fetch(args: argparse.Namespace) -> int:
    from af_inspect import assets
    from af_inspect.assets import AssetError

    failures: list[tuple[AssetSpec, AssetError]] = []
    for spec in select_specs(args.names):
        try:
            path, record = assets.fetch_to_cache(spec)
        except AssetError as exc:
            failures.append((spec, exc))
            continue
        print(f"{record.origin.value:8}  {_short(record.sha256)}  {spec.name}  ->  {path}")
    _report_failures(failures)
    return EXIT_FAILURE if failures else EXIT_OK


def merge_lock(existing: LockFile, update: dict[str, Any]) -> dict[str, Any]:
    """Lock JSON with ``update``'s repos and assets laid over ``existing`` ones.

    Why: ``assets lock NAME...`` into an existing lock must not drop the other assets.
    """
    repos = {**existing.repos, **update["repos"]}
    locked = {name: dict(entry) for name, entry in existing.assets.items()}
    return {**update, "repos": repos, "assets": {**locked, **update["assets"]}}


def _cmd_assets_lock(args: argparse.Namespace) -> int:
    """Write the lock only when every asset resolved: a failed run leaves the old file as it was."""
    from af_inspect import assets

    output: Path = args.output or assets.lock_file_path() or Path(assets.DEFAULT_LOCK_FILE_NAME)
    specs = select_specs(args.names)
    result = assets.build_lock(specs, refresh=args.refresh)
    _report_failures(result.failures)
    if result.failures:
        kept = f"{output} was left unchanged" if output.is_file() else f"{output} was not written"
        why = (
            f"the network looks unreachable, so {len(result.not_tried)} more were not tried"
            if result.offline
            else "see above"
        )
        print(
            f"error: {len(result.failures)} of {len(specs)} assets could not be resolved ({why}); "
            f"{kept}. Lock the reachable ones by name (`af-inspect assets lock NAME...` merges "
            "them into an existing lock), or run where GitHub and Hugging Face are reachable.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    data = result.data
    if args.names and output.is_file():
        existing = assets.load_lock(output)
        data = merge_lock(existing, data) if existing is not None else data
    assets.write_lock(data, output)
    print(f"wrote {output}: {len(result.data['assets'])} of {len(specs)} assets locked")
    return EXIT_OK


def _register_assets(subparsers: SubParsers) -> None:
    group = subparsers.add_parser(
        "assets",
        help="inspect, download and pin upstream prompt files and datasets",
        description="Manage the external assets (upstream prompts and datasets) the suite uses.",
    )
    commands = group.add_subparsers(dest="assets_command", metavar="ACTION", required=True)
    names_help = "asset names (default: the whole manifest)"

    show = commands.add_parser("show", help="list assets and local availability (no network)")
    show.add_argument("names", nargs="*", metavar="NAME", help=names_help)
    show.set_defaults(handler=_cmd_assets_show)

    fetch = commands.add_parser("fetch", help="download assets into the cache")
    fetch.add_argument("names", nargs="*", metavar="NAME", help=names_help)
    fetch.set_defaults(handler=_cmd_assets_fetch)

    lock = commands.add_parser("lock", help="resolve assets and write a lock file")
    lock.add_argument("names", nargs="*", metavar="NAME", help=names_help)
    lock.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"lock file to write (default: ${ENV_LOCK_FILE} or ./{DEFAULT_LOCK_FILE_NAME})",
    )
    lock.add_argument(
        "--refresh",
        action="store_true",
        help="re-resolve branch refs through the API, ignoring the ref cache and any lock file",
    )
    lock.set_defaults(handler=_cmd_assets_lock)


# --------------------------------------------------------------------------------------------
# paraphrase
# --------------------------------------------------------------------------------------------


def _cmd_paraphrase(args: argparse.Namespace) -> int:
    """Generate, check and write the paraphrases; exit 1 when a slot got no accepted one."""
    import asyncio

    from inspect_ai.model import GenerateConfig, get_model

    from af_inspect.errors import UsageError
    from af_inspect.paraphrases import generate

    config = GenerateConfig(
        temperature=args.temperature, seed=args.seed, max_tokens=args.max_tokens
    )
    try:
        generate.check_output_dir(args.out)
        source = generate.scenario_source(args.scenario, args.variant)
        model = get_model(
            args.model
        )  # inspect-evals-lint: ignore[IEBP001] -- a command, not a task
        drafts = asyncio.run(
            generate.generate_drafts(
                model,
                source,
                k=args.k,
                attempts=args.attempts,
                config=config,
                cache=not args.no_cache,
            )
        )
        record = generate.generator_record(
            args.model, k=args.k, attempts=args.attempts, config=config, cache=not args.no_cache
        )
        manifest = generate.write_drafts(args.out, source, drafts, record)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    for entry in manifest["rejected"]:
        print(
            f"rejected {entry['id']} (attempt {entry['attempt']}): {'; '.join(entry['problems'])}"
            f" -> {args.out / entry['file']}",
            file=sys.stderr,
        )
    accepted = [entry["id"] for entry in manifest["paraphrases"]]
    print(f"wrote {len(accepted)} of {args.k} paraphrases to {args.out}: {', '.join(accepted)}")
    if len(accepted) < args.k:
        print(
            f"error: {args.k - len(accepted)} slot(s) got no paraphrase that passed the checks "
            f"in {args.attempts} attempt(s); the directory is usable with the ones written.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number, 1 or more, got {text}")
    return value


def _register_paraphrase(subparsers: SubParsers) -> None:
    command = subparsers.add_parser(
        "paraphrase",
        help="write K checked paraphrases of a scenario's system prompt with a model",
        description=(
            "Ask a model (any Inspect model name) for K rewordings of a scenario's rendered "
            "system prompt, check each one (tags, condition tag and names, the few-shot "
            "examples byte for byte) and write the ones that pass as DIR/<id>.txt with a "
            "manifest.json; failing drafts go to DIR/rejected/. Use DIR with "
            "`-T paraphrases=DIR`."
        ),
    )
    command.add_argument("--model", required=True, help="Inspect model, e.g. openai/gpt-4o")
    command.add_argument("--k", type=_positive_int, required=True, help="number of paraphrases")
    command.add_argument("--out", type=Path, required=True, help="new (or empty) directory")
    command.add_argument(
        "--scenario",
        default="helpful_only",
        help="built-in scenario name or scenario YAML path (default: helpful_only)",
    )
    command.add_argument("--variant", default=None, help="a variant of the scenario")
    command.add_argument("--seed", type=int, default=None, help="generation seed (if supported)")
    command.add_argument(
        "--temperature", type=float, default=1.0, help="sampling temperature (default 1.0)"
    )
    command.add_argument(
        "--max-tokens", type=_positive_int, default=8000, help="per answer (default 8000)"
    )
    command.add_argument(
        "--attempts",
        type=_positive_int,
        default=3,
        help="requests per paraphrase before giving up on it (default 3)",
    )
    command.add_argument(
        "--no-cache", action="store_true", help="bypass Inspect's model cache (fresh draws)"
    )
    command.set_defaults(handler=_cmd_paraphrase)


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------

DEFAULT_REPORT_DIR = Path("report")


def _cmd_report(args: argparse.Namespace) -> int:
    # Imported here: the report reads logs with Inspect and draws with matplotlib, which the
    # assets commands do not need.
    from af_inspect.results.report import CountProgress, write_report

    files = write_report(args.logs, args.out, keep_all=args.all, progress=CountProgress())
    results = files.results
    if results is not None:
        print(
            f"{len(results.runs)} runs, {len(results.samples)} samples"
            + (f", {len(results.validation)} validation logs" if results.validation else "")
            + (f", {len(results.other)} logs of other tasks skipped" if results.other else "")
            + (f", {len(results.superseded)} superseded" if results.superseded else "")
        )
    for path in files.written:
        print(path)
    return EXIT_OK


def _register_report(subparsers: SubParsers) -> None:
    report = subparsers.add_parser(
        "report",
        help="tables and figures from eval logs",
        description="Summarise eval logs of the af_inspect tasks: summary.md and summary.csv "
        "(rates per condition, paired contrasts, invalid and excluded counts), compliance.png "
        "(outcome bars per model and condition) and contrasts.png; judge-validation logs get "
        "their ROC report.",
    )
    report.add_argument("logs", nargs="+", metavar="LOGS", help="eval log files or folders")
    report.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_REPORT_DIR,
        help=f"directory for the report's files (default: ./{DEFAULT_REPORT_DIR})",
    )
    report.add_argument(
        "--all",
        action="store_true",
        help="keep every log of the same model, task and settings as its own row "
        "(default: the latest only)",
    )
    report.set_defaults(handler=_cmd_report)


# --------------------------------------------------------------------------------------------
# sweep
# --------------------------------------------------------------------------------------------

DEFAULT_SWEEP_LOG_DIR = "logs/sweep"


def _cmd_sweep(args: argparse.Namespace) -> int:
    """Print the plan and the estimate; unless --dry-run, run `inspect eval-set` and return its
    exit status."""
    import subprocess

    from af_inspect import sweeps

    extra = list(args.inspect_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    try:
        models = sweeps.load_models(args.models_file)
        selected = sweeps.select(
            models,
            names=args.models or (),
            providers=args.provider or (),
            only_gap=args.only_gap,
            verified_only=args.verified_only,
        )
        runs = sweeps.plan(selected, use_replacement=args.use_replacement)
        samples = sweeps.samples_per_model(args.task, args.num_queries, extra)
    except sweeps.SweepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    for run in runs:
        if not run.runs:
            print(f"{run.entry.label}: {run.reason}")
        elif run.reason:
            print(f"{run.entry.label}: {run.model_id} ({run.reason})")
    unverified = [run.entry.name for run in runs if run.runs and not run.entry.verified]
    if unverified:
        print(f"unverified ids (see `note` in {models.path.name}): {', '.join(unverified)}")
    model_ids = [run.model_id for run in runs if run.model_id is not None]
    if not model_ids:
        print("error: every selected model is retired; add --use-replacement", file=sys.stderr)
        return EXIT_FAILURE
    grader = _grader(extra)
    workload = sweeps.workload_for(extra)
    lines = sweeps.estimate(runs, models, samples, grader=grader, workload=workload)
    print()
    print(sweeps.format_estimate(lines, models, grader, workload))
    command = sweeps.eval_set_command(args.task, model_ids, args.log_dir, args.num_queries, extra)
    print(f"\n{sweeps.display_command(command)}")
    if args.dry_run:
        print("(dry run: nothing was started; run the same command without --dry-run)")
        return EXIT_OK
    print(f"(resumable: run it again with --log-dir {args.log_dir} to finish what is left)\n")
    sys.stdout.flush()
    return subprocess.run(command, check=False).returncode


def _grader(extra: Sequence[str]) -> str:
    """The grader role given to Inspect (`--model-role grader=M`), else the task's default."""
    from af_inspect import defaults

    for index, arg in enumerate(extra):
        value = None
        if arg == "--model-role" and index + 1 < len(extra):
            value = extra[index + 1]
        elif arg.startswith("--model-role="):
            value = arg.removeprefix("--model-role=")
        if value is not None and value.startswith("grader="):
            return value.removeprefix("grader=")
    return defaults.DEFAULT_GRADER


def _register_sweep(subparsers: SubParsers) -> None:
    from af_inspect import defaults
    from af_inspect.sweeps import DEFAULT_MODELS_FILE, TASK_CONDITIONS

    sweep = subparsers.add_parser(
        "sweep",
        help="run a task over the paper's 25 chat models with inspect eval-set",
        description="Run a task over the paper's chat models (sweeps/paper_models.yaml) with "
        "`inspect eval-set`, which resumes when run again with the same --log-dir. Prints the "
        "number of samples and API calls and an order-of-magnitude cost first; --dry-run "
        "prints only that. Retired ids are skipped unless --use-replacement. Arguments after "
        "`--` go to `inspect eval-set` unchanged (e.g. -- --batch --max-connections 20 "
        "--model-role grader=openai/gpt-4o -T dataset=advbench).",
    )
    sweep.add_argument(
        "--models",
        nargs="+",
        metavar="NAME",
        help="entries by name (e.g. claude-3-opus) or Inspect id (default: all)",
    )
    sweep.add_argument(
        "--provider", nargs="+", metavar="P", help="only entries of these providers (e.g. openai)"
    )
    sweep.add_argument(
        "--only-gap",
        action="store_true",
        help="only the 5 models with a compliance gap in the paper (Fig. 1)",
    )
    sweep.add_argument(
        "--verified-only", action="store_true", help="only entries marked verified: true"
    )
    sweep.add_argument(
        "--use-replacement",
        action="store_true",
        help="run a retired entry's nearest current id instead of skipping it",
    )
    sweep.add_argument(
        "--task",
        choices=sorted(TASK_CONDITIONS),
        default="helpful_only",
        help="task to run (default: helpful_only)",
    )
    sweep.add_argument(
        "--num-queries",
        type=_positive_int,
        default=defaults.NUM_QUERIES,
        help=f"queries per condition, passed as -T num_queries (default {defaults.NUM_QUERIES})",
    )
    sweep.add_argument(
        "--log-dir",
        default=DEFAULT_SWEEP_LOG_DIR,
        help=f"eval-set log directory; the same one resumes (default: {DEFAULT_SWEEP_LOG_DIR})",
    )
    sweep.add_argument(
        "--models-file",
        type=Path,
        default=DEFAULT_MODELS_FILE,
        help="a models file of the same schema (default: the paper's 25 models)",
    )
    sweep.add_argument(
        "--dry-run", action="store_true", help="print the plan and the estimate, run nothing"
    )
    sweep.add_argument(
        "inspect_args",
        nargs=argparse.REMAINDER,
        metavar="-- INSPECT ARGS",
        help="passed to `inspect eval-set`",
    )
    sweep.set_defaults(handler=_cmd_sweep)


# --------------------------------------------------------------------------------------------
# Dispatcher
# --------------------------------------------------------------------------------------------

#: Command-group registrars; add new groups here.
COMMAND_GROUPS: tuple[Callable[[SubParsers], None], ...] = (
    _register_assets,
    _register_paraphrase,
    _register_report,
    _register_sweep,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="af-inspect", description="Alignment-faking evaluations for Inspect AI."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMAND_GROUPS:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command; returns the process exit code.

    Asset errors and usage errors (e.g. a report with nothing to report) are printed as one
    message (no traceback) and give exit code 1. Bad arguments exit with code 2 through
    argparse, as usual.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except Exception as exc:
        # Imported only now: `af_inspect.errors` loads Inspect (its base class is Inspect's).
        from af_inspect.errors import UsageError

        if isinstance(exc, UsageError):  # AssetError is one
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILURE
        raise


if __name__ == "__main__":
    sys.exit(main())
