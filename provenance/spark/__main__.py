"""spark-submit entry point: ``spark-submit .../provenance/spark/__main__.py --sources S
--pages P [--pages P2] --out O [--master M]`` runs the same job as ``prov spark-scan``
(also ``python -m provenance.spark``). Its own entry, so that the spark package never
imports the CLI."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from provenance.errors import ProvError
from provenance.spark.driver import spark_scan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="provenance.spark", description=__doc__)
    parser.add_argument("--sources", required=True)
    parser.add_argument("--pages", action="append", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--master", default=None)
    args = parser.parse_args(argv)
    try:
        stats = spark_scan(args.sources, args.pages, args.out, master=args.master)
    except ProvError as e:
        print(f"Error: {e}", file=sys.stderr)
        return e.exit_code
    print(json.dumps(asdict(stats), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
