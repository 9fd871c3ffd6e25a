"""newscorpus: validate and publish an annotated news corpus.

The corpus (raw/, annotated/, schema/) is data; this package is the code that checks it
(`newscorpus validate`), formats it (`newscorpus fmt`), compares annotation passes
(`newscorpus agreement`) and publishes it as Parquet (`newscorpus build`).
"""

__version__ = "0.1.0"
