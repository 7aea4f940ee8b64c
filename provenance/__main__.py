"""``python -m provenance`` runs the ``prov`` command line."""

from provenance.cli import main

main()
