"""Write the README's sample output from real runs of prov, so that it cannot go stale.

Usage: python scripts/readme_examples.py [--check]

Each block of README.md between ``<!-- example: NAME -->`` and ``<!-- /example -->`` is
the output of the commands of EXAMPLES[NAME], run on samples/seeds/ in a scratch folder
(the database is ``demo.db`` there), at 100 columns, without colour, as the default
install prints it (``PROV_SEMANTIC=0``). Without options the
blocks are rewritten in place; with ``--check`` nothing is written and the exit status is 1
when a block differs from what prov prints now (tests/test_docs.py runs this).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The README's demo is the default install (`pip install .`): no prov[semantic] step,
# whether or not the extra is installed where this runs.
os.environ["PROV_SEMANTIC"] = "0"

from typer.testing import CliRunner  # noqa: E402

from provenance.cli import app  # noqa: E402

README = ROOT / "README.md"
S000 = "samples/seeds/000_07898a075ca288ae.txt"
S001 = "samples/seeds/001_5d78def7b98681ae.txt"
S003 = "samples/seeds/003_5d0c29417a0adc5d.txt"
S004 = "samples/seeds/004_2dfa19232605a5b0.txt"
#: A command line: the words after ``prov``, and whether its output is shown.
Command = tuple[str, bool]
#: The examples, by name: the commands run in order, in one scratch folder.
EXAMPLES: dict[str, list[Command]] = {
    "compare": [(f"compare {S004} {S003} --alterations 4", True)],
    "demo": [
        (f"add --db demo.db {S001} {S004}", True),
        (f"check --db demo.db {S000} {S003}", True),
    ],
    "sources": [
        (f"add --db demo.db {S001} {S004}", False),
        ("sources --db demo.db", True),
    ],
    "stdin": [
        (f"add --db demo.db {S001} {S004}", False),
        ("check --db demo.db - --alterations 2 < " + S003, True),
    ],
    "usage-errors": [
        ("results --db demo.db --verdict spun", True),
        ("check --db demo.db --alterations some " + S003, True),
    ],
}
WIDTH = 100
#: Times in output (``prov sources``' "added" column) are shown as this one.
_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:\+00:00|Z)?")
_FIXED = "2026-11-24T09:00:00+00:00"
_BLOCK = re.compile(r"(<!-- example: ([\w-]+) -->\n)(.*?)(<!-- /example -->)", re.S)


@contextmanager
def _scratch() -> Iterator[Path]:
    """A scratch folder where ``samples/`` is the repository's."""
    with tempfile.TemporaryDirectory(prefix="prov-readme-") as tmp:
        os.symlink(ROOT / "samples", Path(tmp) / "samples")
        old = Path.cwd()
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(old)


def run(commands: Sequence[Command]) -> str:
    """The transcript of ``commands``: each shown one as ``$ prov ...`` and its output
    (stdout, then stderr)."""
    runner = CliRunner()
    out: list[str] = []
    env = {"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb", "PROV_DB": ""}
    with _scratch():
        for line, shown in commands:
            argv = shlex.split(line)
            stdin = None
            if "<" in argv:
                at = argv.index("<")
                stdin = Path(argv[at + 1]).read_bytes()
                argv = argv[:at]
            result = runner.invoke(app, argv, input=stdin, env=env)
            if result.exception and not isinstance(result.exception, SystemExit):
                raise RuntimeError(f"prov {line}: {result.exception!r}")
            if shown:
                text = "".join(
                    line.rstrip() + "\n" for line in (result.stdout + result.stderr).splitlines()
                )
                text = _TIME.sub(lambda m: _FIXED[: len(m[0])].replace("T", m[0][10]), text)
                out.append(f"$ prov {line}\n{text}")
    return "".join(out).rstrip("\n") + "\n"


def render(readme: str) -> str:
    """``readme`` with every example block written afresh."""

    def block(m: re.Match[str]) -> str:
        name = m.group(2)
        if name not in EXAMPLES:
            raise SystemExit(f"README.md: no example named {name!r} in {__file__}")
        return f"{m.group(1)}```text\n{run(EXAMPLES[name])}```\n{m.group(4)}"

    return _BLOCK.sub(block, readme)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only say whether README.md is current")
    args = ap.parse_args()
    text = README.read_text(encoding="utf-8")
    names = {m.group(2) for m in _BLOCK.finditer(text)}
    missing = set(EXAMPLES) - names
    if missing:
        print(f"README.md has no block for {', '.join(sorted(missing))}", file=sys.stderr)
        return 1
    new = render(text)
    if args.check:
        if new != text:
            print("README.md's examples are stale: run python scripts/readme_examples.py")
            return 1
        print(f"README.md's {len(names)} examples are current")
        return 0
    README.write_text(new, encoding="utf-8")
    print(f"README.md: {len(names)} examples written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
