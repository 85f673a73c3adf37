"""Asset loading: override dir, cache, download, checksums, refs, lock files, Jinja, provenance.

Every HTTP request goes to a loopback server started inside the test (tests/_http_fixture.py);
the default URL bases point at a closed loopback port, so a test that forgets to start a server
fails fast instead of reaching the internet.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from af_inspect import assets, cli
from af_inspect.assets import (
    HARMFUL_DATASET,
    HUMAN_LABELS,
    MANIFEST,
    OSAF_REPO,
    AssetChecksumError,
    AssetError,
    AssetJinjaLoader,
    AssetRecord,
    AssetSpec,
    AssetUnavailableError,
    collect_provenance,
    jinja_environment,
    osaf_spec,
    provenance_metadata,
    read_text,
    resolve_asset,
)
from af_inspect.types import AssetOrigin
from tests._http_fixture import LoopbackServer, Route, closed_port_url

SHA_A = "a" * 40
SHA_B = "b" * 40
REPO = "acme/widgets"
BASE_VARS = ("AF_INSPECT_GITHUB_RAW_BASE", "AF_INSPECT_GITHUB_API_BASE", "AF_INSPECT_HF_BASE")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_spec(
    path: str = "data/file.txt",
    *,
    ref: str = SHA_A,
    sha: str | None = None,
    source: str = "github",
    repo: str = REPO,
) -> AssetSpec:
    return AssetSpec(
        name=f"test:{source}:{repo}:{path}",
        source=source,
        repo=repo,
        path=path,
        ref=ref,
        sha256=sha,
        license="test",
    )


def raw_path(spec: AssetSpec, ref: str) -> str:
    """URL path the loader requests for a GitHub file."""
    return f"/{spec.repo}/{ref}/{spec.path}"


def hf_path(spec: AssetSpec, ref: str) -> str:
    return f"/datasets/{spec.repo}/resolve/{ref}/{spec.path}"


@pytest.fixture(autouse=True)
def _asset_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolated cache and cwd, no override/lock/tokens/proxies, URL bases on a dead port."""
    for var in (
        "AF_INSPECT_ASSETS_DIR",
        "AF_INSPECT_LOCK_FILE",
        "AF_INSPECT_HTTP_TIMEOUT",
        "AF_INSPECT_HTTP_RETRIES",
        "GITHUB_TOKEN",
        "HF_TOKEN",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AF_INSPECT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("AF_INSPECT_HTTP_BACKOFF", "0")
    dead = closed_port_url()
    for var in BASE_VARS:
        monkeypatch.setenv(var, dead)
    monkeypatch.chdir(tmp_path)
    assets._reset_process_state()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackServer]:
    """A loopback server that all three URL bases point at."""
    with LoopbackServer() as srv:
        for var in BASE_VARS:
            monkeypatch.setenv(var, srv.base_url)
        yield srv


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def no_partial_files(directory: Path) -> bool:
    return not directory.exists() or not any(p.name.endswith(".part") for p in directory.iterdir())


# ------------------------------------------------------------------------------------------
# Download, cache, provenance
# ------------------------------------------------------------------------------------------


def test_download_then_cache_records_provenance(server: LoopbackServer, cache: Path) -> None:
    body = b"line one\r\nline two\n"
    spec = make_spec(sha=sha256(body))
    server.add(raw_path(spec, SHA_A), body)

    with collect_provenance() as records:
        path, first = resolve_asset(spec)
        path2, second = resolve_asset(spec)

    assert path == path2 == cache / "github" / REPO / SHA_A / "data/file.txt"
    assert path.read_bytes() == body
    assert first.origin is AssetOrigin.DOWNLOAD
    assert second.origin is AssetOrigin.CACHE
    assert server.count(raw_path(spec, SHA_A)) == 1
    assert first.source_url == server.url(raw_path(spec, SHA_A))
    assert (first.sha256, first.expected_sha256, first.resolved_ref) == (
        sha256(body),
        spec.sha256,
        SHA_A,
    )
    assert records == [first]  # deduplicated by name; the first record wins
    metadata = provenance_metadata(records)
    assert json.loads(json.dumps(metadata)) == metadata
    assert metadata[0]["origin"] == "download"
    assert metadata[0]["local_path"] == str(path)


def test_read_text_preserves_newlines(server: LoopbackServer) -> None:
    body = "a\r\nb\rc\n\u2212\n".encode()
    spec = make_spec()
    server.add(raw_path(spec, SHA_A), body)
    text, record = read_text(spec)
    assert text == body.decode("utf-8")
    assert isinstance(record, AssetRecord)


def test_unknown_hash_is_recorded_and_warned_once(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"unpinned"
    spec = make_spec()
    server.add(raw_path(spec, SHA_A), body)
    with caplog.at_level(logging.WARNING, logger="af_inspect.assets"):
        _, first = resolve_asset(spec)
        _, second = resolve_asset(spec)
    assert first.sha256 == second.sha256 == sha256(body)
    assert first.expected_sha256 is None
    warnings = [r for r in caplog.records if "no known sha256" in r.getMessage()]
    assert len(warnings) == 1
    assert sha256(body) in warnings[0].getMessage()


def test_bearer_token_sent_when_set(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "tok123")
    spec = make_spec()
    server.add(raw_path(spec, SHA_A), b"x")
    resolve_asset(spec)
    assert server.request_headers[raw_path(spec, SHA_A)].get("Authorization") == "Bearer tok123"


# ------------------------------------------------------------------------------------------
# Failures: atomicity, retries, checksums, timeouts, offline
# ------------------------------------------------------------------------------------------


def test_dropped_connection_leaves_nothing_and_is_retried(
    server: LoopbackServer, cache: Path
) -> None:
    spec = make_spec()
    server.add(raw_path(spec, SHA_A), Route(body=b"0123456789" * 100, truncate_at=10))
    with pytest.raises(AssetUnavailableError) as info:
        resolve_asset(spec)
    target = cache / "github" / REPO / SHA_A / spec.path
    assert not target.exists()
    assert no_partial_files(target.parent)
    assert server.count(raw_path(spec, SHA_A)) == 3
    message = str(info.value)
    assert "network error" in message and server.url(raw_path(spec, SHA_A)) in message
    assert info.value.__cause__ is not None  # chained, not a bare httpx traceback


def test_server_error_is_retried_then_fails_cleanly(server: LoopbackServer, cache: Path) -> None:
    spec = make_spec()
    server.add(raw_path(spec, SHA_A), (500, b"boom"))
    with pytest.raises(AssetUnavailableError, match="HTTP 500") as info:
        resolve_asset(spec)
    assert server.count(raw_path(spec, SHA_A)) == 3
    assert "after 3 attempts" in str(info.value)
    assert not (cache / "github" / REPO / SHA_A / spec.path).exists()


def test_404_is_not_retried(server: LoopbackServer) -> None:
    spec = make_spec()
    with pytest.raises(AssetUnavailableError, match="HTTP 404"):
        resolve_asset(spec)
    assert server.count(raw_path(spec, SHA_A)) == 1


def test_checksum_mismatch_on_download_keeps_nothing(server: LoopbackServer, cache: Path) -> None:
    body, expected = b"actual bytes", sha256(b"expected bytes")
    spec = make_spec(sha=expected)
    server.add(raw_path(spec, SHA_A), body)
    with pytest.raises(AssetChecksumError) as info:
        resolve_asset(spec)
    target = cache / "github" / REPO / SHA_A / spec.path
    message = str(info.value)
    for needle in (expected, sha256(body), server.url(raw_path(spec, SHA_A)), str(target)):
        assert needle in message
    assert not target.exists() and no_partial_files(target.parent)
    assert server.count(raw_path(spec, SHA_A)) == 1  # a mismatch is not retried


def test_tampered_cache_file_is_refused(server: LoopbackServer) -> None:
    body = b"good bytes"
    spec = make_spec(sha=sha256(body))
    server.add(raw_path(spec, SHA_A), body)
    path, _ = resolve_asset(spec)
    path.write_bytes(b"tampered")
    with pytest.raises(AssetChecksumError) as info:
        resolve_asset(spec)
    message = str(info.value)
    for needle in (sha256(body), sha256(b"tampered"), str(path), "Delete"):
        assert needle in message
    assert server.count(raw_path(spec, SHA_A)) == 1


def test_timeout_gives_unavailable_error(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AF_INSPECT_HTTP_TIMEOUT", "0.2")
    monkeypatch.setenv("AF_INSPECT_HTTP_RETRIES", "2")
    spec = make_spec()
    server.add(raw_path(spec, SHA_A), (200, b"late", 1.0))
    with pytest.raises(AssetUnavailableError, match="timed out") as info:
        resolve_asset(spec)
    assert "AF_INSPECT_HTTP_TIMEOUT" in str(info.value)
    assert server.count(raw_path(spec, SHA_A)) == 2


def test_offline_cache_miss_names_url_cache_and_override_var(cache: Path) -> None:
    spec = make_spec()
    with pytest.raises(AssetUnavailableError) as info:
        resolve_asset(spec)
    message = str(info.value)
    assert f"/{REPO}/{SHA_A}/{spec.path}" in message  # the URL
    assert str(cache / "github" / REPO / SHA_A / spec.path) in message
    assert "AF_INSPECT_ASSETS_DIR is not set" in message


def test_offline_branch_ref_names_api_url_and_ref_cache(cache: Path) -> None:
    spec = make_spec(ref="main")
    with pytest.raises(AssetUnavailableError) as info:
        resolve_asset(spec)
    message = str(info.value)
    assert f"/repos/{REPO}/commits/main" in message
    assert str(cache / "refs.json") in message
    assert "AF_INSPECT_ASSETS_DIR" in message


# ------------------------------------------------------------------------------------------
# Branch refs and lock files
# ------------------------------------------------------------------------------------------


def test_branch_resolved_once_per_repo_and_reused(server: LoopbackServer, cache: Path) -> None:
    api = server.add_github_commit(REPO, "main", SHA_A)
    one, two, three = (make_spec(f"f{i}.txt", ref="main") for i in range(3))
    for spec in (one, two, three):
        server.add(raw_path(spec, SHA_A), spec.path.encode())

    _, rec_one = resolve_asset(one)
    _, rec_two = resolve_asset(two)
    assert server.count(api) == 1
    assert (rec_one.ref, rec_one.resolved_ref, rec_two.resolved_ref) == ("main", SHA_A, SHA_A)
    refs = json.loads((cache / "refs.json").read_text(encoding="utf-8"))
    assert refs[f"github:{REPO}@main"]["sha"] == SHA_A

    # A later run: the branch moved upstream, but the stored resolution is reused.
    server.add_github_commit(REPO, "main", SHA_B)
    _, rec_three = resolve_asset(three)
    assert rec_three.resolved_ref == SHA_A
    assert server.count(api) == 1


def test_huggingface_branch_resolves_via_revision_api(server: LoopbackServer) -> None:
    spec = make_spec("data/x.parquet", ref="main", source="huggingface", repo="someone/ds")
    api = server.add_hf_revision("someone/ds", "main", SHA_B)
    server.add(hf_path(spec, SHA_B), b"PAR1")
    _, record = resolve_asset(spec)
    assert record.resolved_ref == SHA_B
    assert record.source_url == server.url(hf_path(spec, SHA_B))
    assert server.count(api) == 1


def test_refresh_falls_back_to_cached_resolution(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    api = server.add_github_commit(REPO, "main", SHA_A)
    spec = make_spec(ref="main")
    server.add(raw_path(spec, SHA_A), b"x")
    resolve_asset(spec)
    server.add(api, (500, b"down"))
    with caplog.at_level(logging.WARNING, logger="af_inspect.assets"):
        _, record = assets.fetch_to_cache(spec, refresh_refs=True)
    assert record.resolved_ref == SHA_A
    assert "using the cached resolution" in caplog.text


def write_lock(path: Path, spec: AssetSpec, ref: str, digest: str) -> None:
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "repos": {spec.repo_key: ref},
                "assets": {spec.name: {"ref": ref, "sha256": digest, "source_url": "x"}},
            }
        ),
        encoding="utf-8",
    )


def test_lock_file_pins_ref_and_enforces_sha256(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = server.add_github_commit(REPO, "main", SHA_A)
    spec = make_spec(ref="main")
    lock = tmp_path / "elsewhere.lock.json"
    monkeypatch.setenv("AF_INSPECT_LOCK_FILE", str(lock))

    write_lock(lock, spec, SHA_B, sha256(b"locked bytes"))
    server.add(raw_path(spec, SHA_B), b"other bytes")
    with pytest.raises(AssetChecksumError) as info:
        resolve_asset(spec)
    assert sha256(b"locked bytes") in str(info.value) and str(lock) in str(info.value)

    server.add(raw_path(spec, SHA_B), b"locked bytes")
    _, record = resolve_asset(spec)
    assert (record.resolved_ref, record.expected_sha256) == (SHA_B, sha256(b"locked bytes"))
    assert server.count(api) == 0  # the lock replaced branch resolution


def test_default_lock_file_in_cwd_is_honoured(server: LoopbackServer, tmp_path: Path) -> None:
    spec = make_spec(ref="main")
    write_lock(tmp_path / "af_inspect.lock.json", spec, SHA_B, sha256(b"locked"))
    server.add(raw_path(spec, SHA_B), b"locked")
    _, record = resolve_asset(spec)
    assert record.resolved_ref == SHA_B


def test_lock_contradicting_code_pin_is_refused(tmp_path: Path) -> None:
    spec = make_spec(sha=sha256(b"code pin"))
    write_lock(tmp_path / "af_inspect.lock.json", spec, SHA_A, sha256(b"lock pin"))
    with pytest.raises(AssetError, match="stale"):
        resolve_asset(spec)


def test_invalid_lock_file_gives_clear_error(tmp_path: Path) -> None:
    (tmp_path / "af_inspect.lock.json").write_text(
        '{"version": 1, "repos": {"x": "main"}}', "utf-8"
    )
    with pytest.raises(AssetError, match="40-hex commit SHA"):
        resolve_asset(make_spec())


# ------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------

OSAF_A = "osaf:prompts/system_prompts/examples/reasoning_traces.jinja2"
OSAF_B = "osaf:prompts/instruction_formats/free_tier_formats/tags_cot.jinja2"


def serve_osaf(server: LoopbackServer, sha: str, files: dict[str, bytes]) -> str:
    for path, body in files.items():
        server.add(f"/{OSAF_REPO}/{sha}/{path}", body)
    return server.add_github_commit(OSAF_REPO, "main", sha)


def test_cli_lock_writes_lock_file(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {MANIFEST[OSAF_A].path: b"generated A\n", MANIFEST[OSAF_B].path: b"generated B"}
    serve_osaf(server, SHA_A, files)
    out = tmp_path / "locks" / "assets.lock.json"

    assert cli.main(["assets", "lock", "--output", str(out), OSAF_A, OSAF_B]) == 0
    lock = json.loads(out.read_text(encoding="utf-8"))
    assert lock["version"] == 1
    assert lock["repos"] == {f"github:{OSAF_REPO}": SHA_A}
    assert set(lock["assets"]) == {OSAF_A, OSAF_B}
    entry = lock["assets"][OSAF_A]
    assert entry["ref"] == SHA_A
    assert entry["sha256"] == sha256(b"generated A\n")
    assert entry["source_url"] == server.url(f"/{OSAF_REPO}/{SHA_A}/{MANIFEST[OSAF_A].path}")

    # Locking one name into an existing lock keeps the other entries.
    server.add(f"/{OSAF_REPO}/{SHA_A}/{MANIFEST[OSAF_A].path}", b"changed A\n")
    (tmp_path / "cache").rename(tmp_path / "old-cache")
    assert cli.main(["assets", "lock", "--output", str(out), OSAF_A]) == 0
    merged = json.loads(out.read_text(encoding="utf-8"))["assets"]
    assert merged[OSAF_A]["sha256"] == sha256(b"changed A\n") and OSAF_B in merged

    # The whole manifest: unserved assets fail one by one (the server answers 404), and a
    # lock with any failure is not written.
    full = tmp_path / "full.lock.json"
    assert cli.main(["assets", "lock", "--output", str(full)]) == 1
    captured = capsys.readouterr()
    assert f"FAILED {HARMFUL_DATASET.name}" in captured.err
    assert (
        f"{len(MANIFEST) - 2} of {len(MANIFEST)} assets could not be resolved (see above)"
        in captured.err
    )
    assert f"{full} was not written" in captured.err
    assert not full.exists()


def test_cli_lock_offline_leaves_the_old_lock_byte_identical_and_stops_early(
    server: LoopbackServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue #8 bug 3: offline, `assets lock` overwrote a valid lock with an empty one (0600)."""
    serve_osaf(server, SHA_A, {MANIFEST[OSAF_A].path: b"A", MANIFEST[OSAF_B].path: b"B"})
    out = tmp_path / "af_inspect.lock.json"
    assert cli.main(["assets", "lock", "--output", str(out), OSAF_A, OSAF_B]) == 0
    out.chmod(0o640)
    before = out.read_bytes()
    capsys.readouterr()

    dead = closed_port_url()  # now offline: every connection is refused
    for var in BASE_VARS:
        monkeypatch.setenv(var, dead)
    (tmp_path / "cache").rename(tmp_path / "old-cache")
    assert cli.main(["assets", "lock", "--output", str(out), "--refresh"]) == 1
    err = capsys.readouterr().err
    assert out.read_bytes() == before
    assert out.stat().st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    # The first network failure stops the run instead of a round of retries per asset.
    assert err.count("FAILED ") == 1
    assert f"network looks unreachable, so {len(MANIFEST) - 1} more were not tried" in err
    assert f"{out} was left unchanged" in err


def test_lock_file_gets_the_usual_mode(server: LoopbackServer, tmp_path: Path) -> None:
    serve_osaf(server, SHA_A, {MANIFEST[OSAF_A].path: b"A"})
    out = tmp_path / "new.lock.json"
    umask = os.umask(0o022)
    try:
        assert cli.main(["assets", "lock", "--output", str(out), OSAF_A]) == 0
    finally:
        os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o644


def test_cli_lock_creates_configured_lock_file_then_runs_use_it(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = serve_osaf(server, SHA_A, {MANIFEST[OSAF_A].path: b"A"})
    lock = tmp_path / "configured.lock.json"
    monkeypatch.setenv("AF_INSPECT_LOCK_FILE", str(lock))
    with pytest.raises(AssetError, match="does not exist"):
        resolve_asset(MANIFEST[OSAF_A])  # a run refuses a configured but missing lock
    assert cli.main(["assets", "lock", OSAF_A]) == 0  # default output: $AF_INSPECT_LOCK_FILE
    assert json.loads(lock.read_text(encoding="utf-8"))["assets"][OSAF_A]["ref"] == SHA_A

    server.add(api, (500, b"api down"))
    _, record = resolve_asset(MANIFEST[OSAF_A])
    assert (record.resolved_ref, record.expected_sha256) == (SHA_A, sha256(b"A"))


def test_cli_fetch_and_show(server: LoopbackServer, capsys: pytest.CaptureFixture[str]) -> None:
    serve_osaf(server, SHA_A, {MANIFEST[OSAF_A].path: b"A"})
    assert cli.main(["assets", "show", OSAF_A]) == 0
    assert "missing" in capsys.readouterr().out
    assert cli.main(["assets", "fetch", OSAF_A]) == 0
    assert "download" in capsys.readouterr().out
    assert cli.main(["assets", "show", OSAF_A]) == 0
    shown = capsys.readouterr().out
    assert OSAF_A in shown and "cache" in shown and "main (aaaaaaaaaaaa)" in shown
    assert cli.main(["assets", "fetch", "no-such-asset"]) == 1
    assert "not a known asset" in capsys.readouterr().err


def test_cli_show_needs_no_network(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["assets", "show"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in MANIFEST)


# ------------------------------------------------------------------------------------------
# Override directory
# ------------------------------------------------------------------------------------------


def test_override_file_is_used(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "override"
    spec = osaf_spec("prompts/x/y.jinja2")
    (root / "prompts/x").mkdir(parents=True)
    (root / "prompts/x/y.jinja2").write_bytes(b"local")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(root))
    path, record = resolve_asset(spec)
    assert path == root / "prompts/x/y.jinja2"
    assert (record.origin, record.sha256) == (AssetOrigin.OVERRIDE, sha256(b"local"))
    assert sum(server.counts.values()) == 0


def test_override_mismatch_warns_but_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "override"
    spec = make_spec(sha=sha256(b"upstream"))
    target = root / "github" / REPO / spec.path
    target.parent.mkdir(parents=True)
    target.write_bytes(b"my edit")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(root))
    with caplog.at_level(logging.WARNING, logger="af_inspect.assets"):
        text, record = read_text(spec)
        read_text(spec)
    assert text == "my edit" and record.origin is AssetOrigin.OVERRIDE
    assert record.expected_sha256 == sha256(b"upstream") != record.sha256
    assert len([r for r in caplog.records if "Using override file" in r.getMessage()]) == 1


def test_override_missing_falls_through(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "override"
    root.mkdir()
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(root))
    spec = osaf_spec("prompts/only_upstream.jinja2")
    serve_osaf(server, SHA_A, {"prompts/only_upstream.jinja2": b"from upstream"})
    _, record = resolve_asset(spec)
    assert record.origin is AssetOrigin.DOWNLOAD

    missing = osaf_spec("prompts/nowhere.jinja2")
    with pytest.raises(AssetUnavailableError) as info:
        resolve_asset(missing)
    assert f"not found in the override dir at {root / 'prompts/nowhere.jinja2'}" in str(info.value)


def test_shared_dataset_path_needs_namespaced_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both HF datasets are data/train-00000-of-00001.parquet; a bare path must not be shared."""
    root = tmp_path / "override"
    bare = root / HUMAN_LABELS.path
    bare.parent.mkdir(parents=True)
    bare.write_bytes(b"meant for another dataset")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(root))
    with pytest.raises(AssetUnavailableError) as info:
        resolve_asset(HUMAN_LABELS)
    namespaced = root / "huggingface" / HUMAN_LABELS.repo / HUMAN_LABELS.path
    assert str(namespaced) in str(info.value)

    namespaced.parent.mkdir(parents=True)
    namespaced.write_bytes(b"labels")
    _, record = resolve_asset(HUMAN_LABELS)
    assert record.origin is AssetOrigin.OVERRIDE


# ------------------------------------------------------------------------------------------
# Jinja and provenance scoping
# ------------------------------------------------------------------------------------------


def test_jinja_include_resolves_through_loader(server: LoopbackServer) -> None:
    outer, inner = "prompts/outer.jinja2", "prompts/parts/inner.jinja2"
    serve_osaf(
        server,
        SHA_A,
        {outer: f"A[{{% include '{inner}' %}}]Z\n".encode(), inner: b"inner\n"},
    )
    env = jinja_environment()
    assert isinstance(env.loader, AssetJinjaLoader)
    with collect_provenance() as records:
        assert env.get_template(outer).render() == "A[inner]Z"
    assert {r.name for r in records} == {f"osaf:{outer}", f"osaf:{inner}"}
    assert all(r.origin is AssetOrigin.DOWNLOAD for r in records)

    # Templates served from Jinja's cache are still recorded by a later collector.
    with collect_provenance() as again:
        env.get_template(outer).render()
    assert {r.name for r in again} == {f"osaf:{outer}", f"osaf:{inner}"}


def test_collectors_do_not_mix_across_tasks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "override"
    (root / "prompts").mkdir(parents=True)
    for name in ("one", "two"):
        (root / f"prompts/{name}.jinja2").write_text(name, encoding="utf-8")
    monkeypatch.setenv("AF_INSPECT_ASSETS_DIR", str(root))

    async def task(name: str) -> list[str]:
        with collect_provenance() as records:
            await asyncio.sleep(0)
            resolve_asset(osaf_spec(f"prompts/{name}.jinja2"))
            await asyncio.sleep(0)
        return [r.name for r in records]

    async def both() -> list[list[str]]:
        return list(await asyncio.gather(task("one"), task("two")))

    with collect_provenance() as outer:
        results = asyncio.run(both())
    assert results == [["osaf:prompts/one.jinja2"], ["osaf:prompts/two.jinja2"]]
    # An enclosing collector (copied into both task contexts) receives everything.
    assert sorted(r.name for r in outer) == ["osaf:prompts/one.jinja2", "osaf:prompts/two.jinja2"]


def test_reference_prompt_renders_byte_identical(reference_dir: Path) -> None:
    path = "prompts/system_prompts/helpful-only_prompt-only_cot.jinja2"
    with collect_provenance() as records:
        ours = jinja_environment().get_template(path).render()
    direct = jinja2.Environment(loader=jinja2.FileSystemLoader(reference_dir)).get_template(path)
    assert ours.encode("utf-8") == direct.render().encode("utf-8")
    assert {r.origin for r in records} == {AssetOrigin.OVERRIDE}
    assert "osaf:prompts/system_prompts/examples/reasoning_traces.jinja2" in {
        r.name for r in records
    }


# ------------------------------------------------------------------------------------------
# Manifest and specs
# ------------------------------------------------------------------------------------------


def test_manifest_entries() -> None:
    osaf = [s for s in MANIFEST.values() if s.repo == OSAF_REPO]
    assert len(osaf) == 18
    assert all(s.ref == "main" and s.sha256 is None and "MIT" in s.license for s in osaf)
    assert (
        "not confirmed"
        in MANIFEST["osaf:prompts/instruction_formats/free_tier_formats/cot.jinja2"].note
    )
    assert HARMFUL_DATASET.ref == "8bfba31bc6d93a5b71808fee5275ef4b6330ed91"
    assert assets.ADVBENCH.sha256 is None  # the third-party hash is only noted, not enforced
    assert osaf_spec(MANIFEST[OSAF_A].path) is MANIFEST[OSAF_A]
    adhoc = osaf_spec("./prompts/not/listed.jinja2")
    assert (adhoc.name, adhoc.sha256, adhoc.ref) == ("osaf:prompts/not/listed.jinja2", None, "main")


@pytest.mark.parametrize("bad", ["../etc/passwd", "/abs/path", "a//b", "a/./b", ""])
def test_spec_rejects_unsafe_paths(bad: str) -> None:
    with pytest.raises(ValueError):
        make_spec(bad)


def test_example_lock_file_matches_manifest_and_format(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "datasets" / "assets.lock.example.json"
    text = example.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["version"] == 1 and set(data["assets"]) == set(MANIFEST)
    filled = text.replace("<40-hex commit SHA>", SHA_A).replace("<64-hex sha256>", "0" * 64)
    (tmp_path / "filled.json").write_text(filled, encoding="utf-8")
    lock = assets.load_lock(tmp_path / "filled.json")
    assert lock is not None and lock.repos[HARMFUL_DATASET.repo_key] == HARMFUL_DATASET.ref
