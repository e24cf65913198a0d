"""Theano's ``theano.sandbox`` import paths (``rng_mrg``), re-exported from where things live."""
