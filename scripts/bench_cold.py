"""What a cold ``prov check`` costs, and where: a benchmark, not a test.

A fact-checker's ``prov check suspect.txt`` starts a new process each time, so its cost
is the interpreter, the imports and the check itself. This script builds the README's
demo index (seeds 001 and 004), then runs ``prov check`` of seed 000 in ``--runs`` new
processes and prints, for each stage:

- CPU time (user + system of the child, from ``os.wait4``), which a busy machine
  changes little, and wall time, which it changes a lot: min and median;
- the same for ``python -c pass`` (the interpreter), ``import numpy``, ``import typer``
  and ``import provenance.cli`` (what every command pays before it starts);
- the import time of each top-level package in one cold check (``-X importtime``,
  self time summed per package, median over the runs);
- whether provenance's modules are byte-compiled (an editable install under
  ``PYTHONDONTWRITEBYTECODE=1`` compiles every module from source at each start: a
  user's ``pip install`` writes the bytecode at install time).

The word path is measured, as ``bench_newsroom.py`` does: ``PROV_SEMANTIC=0`` unless
``--semantic`` (with ``prov[semantic]`` installed, seed 000's Italian half is embedded by
the sentence encoder: its model loads in about 2 s, which is that step's cost, not a
cold start's).

Run: ``python scripts/bench_cold.py [--runs 15] [--json] [--semantic]``. The goal (issue
18): a cold check under 300 ms on a quiet machine; give the load average beside the
figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "samples" / "seeds"
PY = sys.executable
#: The installed ``prov`` entry point beside this interpreter (a Python script), run
#: the way a user runs it.
PROV = [PY, str(Path(sys.executable).with_name("prov"))]


def _seed(prefix: str) -> str:
    return str(next(SEEDS.glob(f"{prefix}_*.txt")))


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of one child process, and its stderr."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err.strip()[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime, err


def stage(
    name: str, cmd: list[str], runs: int, env: dict[str, str] | None = None
) -> dict[str, float | str]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu, _ = timed(cmd, None if env is None else {**os.environ, **env})
        walls.append(wall)
        cpus.append(cpu)
    return {
        "stage": name,
        "cpu_min_ms": 1000 * min(cpus),
        "cpu_median_ms": 1000 * statistics.median(cpus),
        "wall_min_ms": 1000 * min(walls),
        "wall_median_ms": 1000 * statistics.median(walls),
    }


_IMPORT = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")


def import_breakdown(cmd: list[str], runs: int) -> list[tuple[str, float, int]]:
    """Per top-level package: median self import time (ms) and modules imported."""
    per_run: list[dict[str, float]] = []
    modules: dict[str, set[str]] = defaultdict(set)
    for _ in range(runs):
        _, _, err = timed([PY, "-X", "importtime", *cmd[1:]])
        totals: dict[str, float] = defaultdict(float)
        for m in _IMPORT.finditer(err):
            top = m.group(2).split(".")[0]
            top = "provenance" if top == "provenance" else top
            totals[top] += int(m.group(1)) / 1000
            modules[top].add(m.group(2))
        per_run.append(totals)
    names = {n for r in per_run for n in r}
    rows = [(n, statistics.median(r.get(n, 0.0) for r in per_run), len(modules[n])) for n in names]
    return sorted(rows, key=lambda r: -r[1])


def byte_compiled() -> bool:
    spec = importlib.util.find_spec("provenance.pipeline")
    assert spec is not None and spec.origin is not None
    return Path(importlib.util.cache_from_source(spec.origin)).exists()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15, help="new processes per stage")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--semantic", action="store_true", help="leave PROV_SEMANTIC as set")
    args = ap.parse_args()
    if not args.semantic:
        os.environ["PROV_SEMANTIC"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "demo.db")
        subprocess.run(  # noqa: S603
            [*PROV, "add", "--db", db, _seed("001"), _seed("004")],
            check=True,
            capture_output=True,
        )
        check = [*PROV, "check", "--db", db, _seed("000")]
        stages = [
            stage("python -c pass", [PY, "-c", "pass"], args.runs),
            stage("import numpy", [PY, "-c", "import numpy"], args.runs),
            stage(
                "import numpy, OPENBLAS_NUM_THREADS=1",
                [PY, "-c", "import numpy"],
                args.runs,
                {"OPENBLAS_NUM_THREADS": "1"},
            ),
            stage("import typer", [PY, "-c", "import typer"], args.runs),
            stage("import provenance.cli", [PY, "-c", "import provenance.cli"], args.runs),
            stage("prov --version", [*PROV, "--version"], args.runs),
            stage("prov check (seed 000, demo index)", check, args.runs),
        ]
        imports = import_breakdown(check, max(3, args.runs // 3))
    imports_ms = [
        {"package": n, "self_ms": round(ms, 1), "modules": k} for n, ms, k in imports[:15]
    ]
    out: dict[str, object] = {
        "load_average": os.getloadavg(),
        "byte_compiled": byte_compiled(),
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
        "PROV_SEMANTIC": os.environ.get("PROV_SEMANTIC", ""),
        "stages": stages,
        "imports_ms": imports_ms,
        "modules_imported": sum(k for _, _, k in imports),
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return
    la = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"load average {la}; provenance byte-compiled: {out['byte_compiled']}; "
        f"PROV_SEMANTIC={out['PROV_SEMANTIC'] or '(unset)'}"
    )
    print(f"{'stage':38} {'CPU min':>8} {'CPU med':>8} {'wall min':>9} {'wall med':>9}  (ms)")
    for s in stages:
        print(
            f"{s['stage']:38} {s['cpu_min_ms']:8.0f} {s['cpu_median_ms']:8.0f} "
            f"{s['wall_min_ms']:9.0f} {s['wall_median_ms']:9.0f}"
        )
    print(f"\nimports of one cold check ({out['modules_imported']} modules), self time (ms):")
    for row in imports_ms:
        print(f"  {row['package']:24} {row['self_ms']:7.1f}  ({row['modules']} modules)")


if __name__ == "__main__":
    main()
