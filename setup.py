"""Build the optional compiled kernel (provenance/match/_kernel.c); everything else is in
pyproject.toml. ``optional=True``: without a C compiler the install still succeeds and
prov uses its NumPy path (same results, slower; ``prov doctor`` says which is in use)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "provenance.match._kernel",
            sources=["provenance/match/_kernel.c"],
            depends=["provenance/match/_xxhash.h"],
            extra_compile_args=["-O3", "-std=c11"],
            optional=True,
        )
    ]
)
