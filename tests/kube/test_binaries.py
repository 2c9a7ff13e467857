"""Finding the binaries: the cache, the KFED_* overrides, version checks (nothing is built)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from federation.kube import binaries


def fake_binary(path: Path, version: str) -> Path:
    path.write_text(f"#!/bin/sh\necho '{version}'\n")
    path.chmod(0o755)
    return path


def test_cache_hit_needs_the_pinned_version(tmp_path: Path) -> None:
    spec = binaries.SPEC_BY_NAME["kube-apiserver"]
    assert binaries.locate(spec, tmp_path, environ={}).source == "missing"
    fake_binary(tmp_path / "kube-apiserver", "Kubernetes v0.0.0-master+$Format:%H$")
    found = binaries.locate(spec, tmp_path, environ={})
    assert (found.source, found.ok) == ("cache", False)
    fake_binary(tmp_path / "kube-apiserver", "Kubernetes v1.36.3")
    assert binaries.locate(spec, tmp_path, environ={}).ok


def test_environment_variable_wins_over_the_cache(tmp_path: Path) -> None:
    spec = binaries.SPEC_BY_NAME["etcd"]
    given = fake_binary(tmp_path / "my-etcd", "etcd Version: 3.6.99")
    found = binaries.locate(spec, tmp_path / "cache", environ={"KFED_ETCD": str(given)})
    assert (found.source, found.path, found.ok) == ("env", given, True)


def test_every_binary_has_a_documented_variable() -> None:
    assert {s.env for s in binaries.SPECS} == {
        "KFED_KUBE_APISERVER",
        "KFED_KUBE_CONTROLLER_MANAGER",
        "KFED_KUBE_SCHEDULER",
        "KFED_ETCD",
        "KFED_KWOK",
        "KFED_KWOKCTL",
        "KFED_TOXIPROXY_SERVER",
        "KFED_TOXIPROXY_CLI",
        "KFED_KIND",
    }
    docs = (Path(__file__).resolve().parents[2] / "docs" / "real-clusters.md").read_text()
    for spec in binaries.SPECS:
        assert spec.env in docs
    assert "KFED_BIN_DIR" in docs and "KFED_KUBECTL" in docs


def test_wrapper_modules_exist_for_every_binary() -> None:
    for spec in binaries.SPECS:
        assert (binaries.tools_dir() / spec.module / "go.mod").is_file(), spec.module
        assert (binaries.tools_dir() / spec.module / "go.sum").is_file(), spec.module


def test_script_prints_env_lines(tmp_path: Path) -> None:
    fake_binary(tmp_path / "kwok", "kwok version v0.8.0")
    script = Path(__file__).resolve().parents[2] / "bin" / "kube-binaries"
    env = dict(os.environ, KFED_BIN_DIR=str(tmp_path))
    out = subprocess.run(
        [str(script), "print-env", "--only", "kwok"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"export KFED_KWOK={tmp_path}/kwok" in out.splitlines()
    status = subprocess.run(
        [str(script), "status"], env=env, capture_output=True, text=True, check=False
    )
    assert status.returncode == 1  # everything but kwok is missing from this cache
    assert "MISSING" in status.stdout


def test_unknown_binary_is_an_error() -> None:
    with pytest.raises(SystemExit):
        binaries.main(["ensure", "--only", "kubelet"])
