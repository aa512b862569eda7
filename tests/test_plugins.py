"""A third-party plugin that fails to load is reported and skipped, not fatal."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from anjeon import _registry


def test_a_broken_plugin_is_reported_and_skipped(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    called: list[str] = []
    broken = EntryPoint("broken", "no_such_module_for_anjeon:register", "anjeon")
    good = EntryPoint("good", "tests.test_plugins:_register", "anjeon")
    monkeypatch.setattr(_registry, "_plugins_loaded", False)
    monkeypatch.setattr(_registry, "entry_points", lambda group: [broken, good])
    monkeypatch.setitem(globals(), "_calls", called)
    _registry.load_plugins()
    err = capsys.readouterr().err
    assert "plugin 'broken'" in err and "skipped" in err and "ModuleNotFoundError" in err
    assert called == ["good"]  # the plugin after the broken one still loaded


def test_the_builtins_failing_is_a_bug_and_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = EntryPoint("builtins", "anjeon.no_such_module:register", "anjeon")
    monkeypatch.setattr(_registry, "_plugins_loaded", False)
    monkeypatch.setattr(_registry, "entry_points", lambda group: [bad])
    with pytest.raises(ModuleNotFoundError):
        _registry.load_plugins()


_calls: list[str] = []


def _register() -> None:
    _calls.append("good")
