"""The package's lazy exports: `import af_inspect.cli` loads no task module (nor Inspect), and
`from af_inspect import helpful_only` is the task function whichever import ran first."""

from __future__ import annotations

import subprocess
import sys
import types

import af_inspect


def test_cli_import_loads_no_task_module_nor_inspect() -> None:
    code = (
        "import sys, af_inspect.cli\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('inspect_ai', 'af_inspect.')))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = result.stdout.strip().split(",")
    assert not [m for m in loaded if m.startswith("inspect_ai")], loaded
    assert set(loaded) == {"af_inspect.asset_env", "af_inspect.cli"}


def test_exports_are_the_task_functions_even_after_their_modules_are_imported() -> None:
    import af_inspect._registry  # noqa: F401  (imports every task submodule)
    import af_inspect.helpful_only  # noqa: F401  (binds the submodule: must not hide the task)
    from af_inspect import af_classifier_validation, helpful_only, three_tier

    for name, task in {
        "helpful_only": helpful_only,
        "three_tier": three_tier,
        "af_classifier_validation": af_classifier_validation,
    }.items():
        assert isinstance(task, types.FunctionType), name
        assert task.__name__ == name
        assert getattr(af_inspect, name) is task
    module = sys.modules["af_inspect.helpful_only"]
    assert isinstance(module, types.ModuleType)
    assert module.helpful_only is helpful_only


def test_all_lists_every_export_and_unknown_names_raise() -> None:
    assert sorted(af_inspect.__all__) == sorted(af_inspect._EXPORTS)
    assert set(af_inspect.__all__) <= set(dir(af_inspect))
    for name in af_inspect.__all__:
        assert callable(getattr(af_inspect, name)), name
    try:
        af_inspect.no_such_task  # noqa: B018
    except AttributeError as exc:
        assert "no_such_task" in str(exc)
    else:
        raise AssertionError("an unknown name must raise AttributeError")
