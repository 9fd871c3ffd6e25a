"""newscorpus: validate and publish an annotated news corpus.

The corpus (raw/, annotated/, schema/) is data; this package is the code that checks it
(`newscorpus validate`), formats it (`newscorpus fmt`), compares annotation passes
(`newscorpus agreement`), publishes it as Parquet (`newscorpus build`), and computes what a
contributor should not count by hand (`newscorpus new`, `newscorpus span`).
"""

__version__ = "0.1.0"
