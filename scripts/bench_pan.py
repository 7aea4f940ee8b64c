"""Measure prov on the PAN 2013 text-alignment corpus: plagdet, precision, recall, granularity.

Usage::

    .venv/bin/python scripts/bench_pan.py /work/shared/bench/pan13-dev
    .venv/bin/python scripts/bench_pan.py PAN_DIR --out dets/ --workers 2 --sections 02,03
    .venv/bin/python scripts/bench_pan.py PAN_DIR --limit 20      # the first 20 pairs a section
    .venv/bin/python scripts/bench_pan.py PAN_DIR --half A        # one half of the pairs

``--half A`` / ``--half B`` keep the pairs whose truth file name's MD5 is even / odd: two
fixed halves of every section, so that a parameter can be chosen on one half and checked
on the other (a gain that shows on A only is fitted to A's texts, not a better rule).

For every pair of every section (``SECTION/pairs``: "SUSP.txt SRC.txt" a line) prov's own
``compare`` runs in-process (source = ``src/SRC.txt``, copy = ``susp/SUSP.txt``), and each
passage prov reports as found becomes one PAN detection (``<feature
name="detected-plagiarism" this_offset this_length source_offset source_length/>``: the copy
span in the suspicious document, the source span in the source; character offsets of the
texts as read, which is what PAN's offsets are). A pair whose verdict is ``unrelated`` gives
no detection (what a user of ``prov compare`` is told), unless ``--any-verdict``. The
detections are then scored by PAN's evaluator (``pan_eval.py``, beside the corpus folder by
default), which prints a row per section and overall.

A script, not a test: it prints figures (and the seconds it took); nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provenance.errors import ProvError  # noqa: E402
from provenance.match.evidence import UNRELATED  # noqa: E402
from provenance.pipeline import compare  # noqa: E402

Job = tuple[str, str, str, str, bool]  # section, susp name, src name, corpus dir, any verdict


def detections(job: Job) -> tuple[str, str, str, list[tuple[int, int, int, int]], str]:
    """``(section, susp, src, [(this_off, this_len, src_off, src_len)], verdict)`` of a pair."""
    section, susp, src, corpus, any_verdict = job
    try:
        r = compare(Path(corpus, "src", src), Path(corpus, "susp", susp))
    except ProvError as e:  # an input prov refuses: no detection, counted apart
        return section, susp, src, [], f"error ({type(e).__name__})"
    s = r.score
    dets: list[tuple[int, int, int, int]] = []
    if any_verdict or s.verdict != UNRELATED:
        for p in s.pairs:  # the JSON's "passages"
            if p.found:
                (s0, s1), (c0, c1) = p.source_span, p.copy_span
                dets.append((c0, c1 - c0, s0, s1 - s0))
    return section, susp, src, dets, s.verdict


def half(susp: str, src: str) -> str:
    """``A`` or ``B``: the half of the corpus a pair is in (its truth file name's MD5)."""
    name = f"{Path(susp).stem}-{Path(src).stem}.xml"
    return "AB"[int(hashlib.md5(name.encode(), usedforsecurity=False).hexdigest(), 16) % 2]


def write_xml(folder: Path, susp: str, src: str, dets: list[tuple[int, int, int, int]]) -> None:
    lines = [f"<document reference={quoteattr(susp)}>"]
    for toff, tlen, soff, slen in dets:
        lines.append(
            f'<feature name="detected-plagiarism" this_offset="{toff}" this_length="{tlen}" '
            f'source_reference={quoteattr(src)} source_offset="{soff}" '
            f'source_length="{slen}"/>'
        )
    lines.append("</document>")
    name = f"{Path(susp).stem}-{Path(src).stem}.xml"
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="the PAN folder (sections, src/, susp/)")
    ap.add_argument("--out", type=Path, help="folder for the detection XMLs (default: temp)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="at most this many pairs a section")
    ap.add_argument("--sections", default="", help="comma-separated prefixes, e.g. 02,03")
    ap.add_argument("--half", choices=("A", "B"), help="only one fixed half of the pairs")
    ap.add_argument("--eval", type=Path, help="pan_eval.py (default: beside the corpus)")
    ap.add_argument("--any-verdict", action="store_true", help="detections of unrelated pairs too")
    a = ap.parse_args()
    corpus: Path = a.corpus.resolve()
    evaluator = a.eval or corpus.parent / "pan_eval.py"
    wanted = [w for w in a.sections.split(",") if w]
    jobs: list[Job] = []
    sections = sorted(d for d in corpus.iterdir() if (d / "pairs").is_file())
    sections = [d for d in sections if not wanted or d.name.startswith(tuple(wanted))]
    for d in sections:
        pairs = [ln.split() for ln in (d / "pairs").read_text().splitlines() if ln.strip()]
        if a.half:
            pairs = [p for p in pairs if half(p[0], p[1]) == a.half]
        if a.limit:
            pairs = pairs[: a.limit]
        jobs.extend((d.name, susp, src, str(corpus), a.any_verdict) for susp, src in pairs)
    out = a.out or Path(tempfile.mkdtemp(prefix="prov-pan-"))
    truth = out / "truth"
    for d in sections:
        (out / d.name).mkdir(parents=True, exist_ok=True)
        (truth / d.name).mkdir(parents=True, exist_ok=True)
        names = {f"{Path(j[1]).stem}-{Path(j[2]).stem}.xml" for j in jobs if j[0] == d.name}
        for name in names:  # the truth of the pairs run (all of them without --limit)
            dst = truth / d.name / name
            if not dst.exists():
                os.symlink(d / name, dst)
    started = time.monotonic()
    verdicts: dict[str, dict[str, int]] = {}
    with ProcessPoolExecutor(max(1, a.workers)) as pool:
        for section, susp, src, dets, verdict in pool.map(detections, jobs, chunksize=4):
            write_xml(out / section, susp, src, dets)
            counts = verdicts.setdefault(section, {})
            counts[verdict] = counts.get(verdict, 0) + 1
    seconds = time.monotonic() - started
    print(
        f"{len(jobs)} pairs compared in {seconds:.1f} s ({a.workers} workers); detections in {out}"
    )
    for section, counts in sorted(verdicts.items()):
        print(f"  {section:<28} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print()
    done = subprocess.run(
        [sys.executable, str(evaluator), str(truth), str(out)], check=False, text=True
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
