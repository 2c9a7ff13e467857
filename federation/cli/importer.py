"""`kfed import`: Karmada and KubeFed documents rewritten as kfed's, with a report saying, for
every field, whether it was mapped exactly, approximated (and how) or is not simulated."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from federation.cli.common import (
    DATA_FORMATS,
    EXIT_FAILED,
    EXIT_OK,
    SubParsers,
    UsageError,
    add_output,
    dump,
    fail,
)

REPORT = "kfed-import-report.md"


def add_import(sub: SubParsers) -> None:
    p = sub.add_parser(
        "import",
        help="rewrite Karmada and KubeFed documents as kfed documents",
        description="Read FILE... (directories: every *.yaml, *.yml, *.json in them) and "
        "write the equivalent kfed documents: Karmada's and KubeFed's documents translated, "
        "every other document as it was. With --out DIR, one file per file read (same names, "
        f"relative to their common folder) and {REPORT}; without, the documents on stdout and "
        "the report on stderr. The report lists every field of every Karmada or KubeFed "
        "document: mapped exactly, approximated (how), or not simulated. With -o json|yaml "
        "the report is printed on stdout as data.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--out", metavar="DIR", help="write the documents and the report here")
    add_output(p, DATA_FORMATS, what="the documents; the report on stderr")
    p.add_argument(
        "--check",
        action="store_true",
        help="exit 1 when any field is approximated or not simulated (for CI)",
    )
    p.set_defaults(func=run_import)


def _dump(docs: Sequence[Any]) -> str:
    import yaml

    return "".join(
        ("---\n" if i else "")
        + yaml.safe_dump(d, sort_keys=False, default_flow_style=False, width=100)
        for i, d in enumerate(docs)
    )


def _documents(path: str, reports: Mapping[tuple[str, int], Any]) -> list[Any]:
    """The documents of one file, each of another project's replaced by what it became."""
    from federation.api import compat
    from federation.api.files import decode, read_bytes
    from federation.api.source import parse

    raw, _ = read_bytes(path)
    text, _ = decode(raw or b"", path)
    docs, _ = parse(text or "", path)
    out: list[Any] = []
    for doc in docs:
        items = compat.list_items(_Quiet(), doc)
        for item in items:
            report = reports.get((item.file, item.line_of(())))
            if report is not None:
                out.extend(report.documents)
            elif compat.project_of(item.data) is None and not _consumed(item.data):
                out.append(item.data)
    return out


def _consumed(data: Any) -> bool:
    from federation.api.compat.karmada import PRIORITY_CLASS

    return (
        isinstance(data, Mapping) and (data.get("apiVersion"), data.get("kind")) == PRIORITY_CLASS
    )


def _scenarios(reports: Sequence[Any]) -> list[str]:
    """What a Scenario over the imported clusters must say to keep the project's health
    defaults (the loader applies them only to the project's own Cluster documents)."""
    from federation.api.compat.health import KARMADA, KUBEFED, spec_health

    kinds = {(r.project, r.kind) for r in reports}
    out = []
    for (project, kind), th in (
        (("Karmada", "Cluster"), KARMADA),
        (("KubeFed", "KubeFedCluster"), KUBEFED),
    ):
        if (project, kind) in kinds:
            out.append(
                f"A Scenario whose clusters are all {project} {kind} documents gets "
                f"{project}'s health defaults; with the imported clusters it gets kfed's. "
                f"To keep {project}'s, give the Scenario `{spec_health(th)}`"
                + (" (or your KubeFedConfig's clusterHealthCheck)" if project == "KubeFed" else "")
                + "."
            )
    return out


class _Quiet:
    def error(self, *_: Any) -> None: ...

    def warn(self, *_: Any) -> None: ...


def run_import(args: argparse.Namespace) -> int:
    from federation.api import LoadError, load_documents
    from federation.api.compat.report import text, totals

    try:
        loaded = load_documents(args.files)
    except LoadError as e:
        return fail(e.errors)
    reports = {(r.file, r.line): r for r in loaded.compat}
    files = list(loaded.files)
    written: dict[str, str] = {}
    if args.out:
        out = Path(args.out)
        base = os.path.commonpath([os.path.dirname(os.path.abspath(f)) for f in files])
        try:
            out.mkdir(parents=True, exist_ok=True)
            for f in files:
                target = out / os.path.relpath(os.path.abspath(f), base)
                if target.resolve() == Path(f).resolve():
                    raise UsageError(f"kfed import: --out {args.out} would overwrite {f}")
                target.parent.mkdir(parents=True, exist_ok=True)
                docs = _documents(f, reports)
                target.write_text(
                    f"# kfed documents imported from {os.path.basename(f)} by kfed import\n"
                    + _dump(docs),
                    encoding="utf-8",
                )
                written[str(target)] = f"{len(docs)} document(s) from {f}"
            report_path = out / REPORT
            report_path.write_text(
                text(loaded.compat, written, _scenarios(loaded.compat)), encoding="utf-8"
            )
        except OSError as e:
            raise UsageError(f"kfed import: --out {args.out}: {e.strerror or e}") from None
        print(f"wrote {', '.join([*written, str(report_path)])}", file=sys.stderr)
    elif not args.output:
        sys.stdout.write(_dump([d for f in files for d in _documents(f, reports)]))
        sys.stderr.write(text(loaded.compat, scenarios=_scenarios(loaded.compat)))
    if args.output:
        data = {
            "totals": totals(loaded.compat),
            "documents": [r.to_json() for r in loaded.compat],
            "scenarios": _scenarios(loaded.compat),
        }
        sys.stdout.write(dump(data, args.output))
    t = totals(loaded.compat)
    n = sum(t.values())
    print(
        f"{len(loaded.compat)} Karmada/KubeFed document(s), {n} field(s): {t['exact']} mapped "
        f"exactly, {t['approximated']} approximated, {t['not simulated']} not simulated",
        file=sys.stderr,
    )
    if args.check and (t["approximated"] or t["not simulated"]):
        return EXIT_FAILED
    return EXIT_OK
