"""code_version: the fingerprint of a package's or a module's source that rules carry in params."""

from __future__ import annotations

import sys

import pytest

from semcom_pipeline.smk import code_version


@pytest.fixture
def toy_package(tmp_path, monkeypatch):
    pkg = tmp_path / "toy_pkg_cv"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("X = 1\n")
    (pkg / "b.py").write_text("Y = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield pkg
    for name in [m for m in sys.modules if m.startswith("toy_pkg_cv")]:
        del sys.modules[name]


def _fresh(*names: str) -> str:
    code_version.cache_clear()  # cached per process: the workflow reads it once per parse
    return code_version(*names)


def test_a_module_fingerprint_follows_only_that_module(toy_package):
    pkg, a, b = _fresh("toy_pkg_cv"), _fresh("toy_pkg_cv.a"), _fresh("toy_pkg_cv.b")
    assert len({pkg, a, b}) == 3 and all(len(v) == 16 for v in (pkg, a, b))
    (toy_package / "b.py").write_text("Y = 3\n")
    assert _fresh("toy_pkg_cv.a") == a  # the other module's edit leaves it alone
    assert _fresh("toy_pkg_cv.b") != b
    assert _fresh("toy_pkg_cv") != pkg  # the package covers every module in it


def test_the_workflow_fingerprints_are_of_real_code():
    assert code_version("semcom_pipeline.transforms") != code_version("semcom_pipeline.shards")
    assert code_version("semcom_codecs", "semcom_core") != code_version("semcom_codecs")


@pytest.mark.parametrize("name", ["no_such_pkg_xyz", "semcom_pipeline.no_such_module"])
def test_an_unknown_name_is_refused(name):
    with pytest.raises(ValueError, match=name):
        code_version(name)
