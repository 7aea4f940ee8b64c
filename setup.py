"""Build the optional compiled kernel (provenance/match/_kernel*.c, one extension whose
files _kernel.h lists); everything else is in pyproject.toml. ``optional=True``:
without a C compiler the install still succeeds and prov uses its NumPy path (same results,
slower; ``prov doctor`` says which is in use)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "provenance.match._kernel",
            sources=[
                "provenance/match/_kernel.c",
                "provenance/match/_kernel_scan.c",
                "provenance/match/_kernel_search.c",
                "provenance/match/_kernel_blocks.c",
                "provenance/match/_kernel_vocab.c",
                "provenance/match/_kernel_claim.c",
                "provenance/match/_kernel_align.c",
                "provenance/match/_kernel_bags.c",
            ],
            depends=["provenance/match/_kernel.h", "provenance/match/_xxhash.h"],
            # -ffp-contract=off: no fused multiply-add, so each product is rounded before
            # it is added, as in Python (_kernel_bags.c's sums are bags.py's to the bit)
            extra_compile_args=["-O3", "-std=c11", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
