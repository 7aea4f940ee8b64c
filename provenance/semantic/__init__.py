"""Semantic matching (the optional extra ``prov[semantic]``): translations and rewrites.

``encoder`` holds the model (imported only when used); ``bitext`` aligns sentence
vectors in order; ``crosslang`` turns what they find into passages of a score. Nothing
outside this package imports the encoder: the plain path never loads NumPy or the model.
"""
