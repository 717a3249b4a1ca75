"""tokenlab: the tested package behind *Everything Is a Token*.

One pipeline, one module per step::

    raw text -> standardize -> tokenize -> index -> encode -> compare / attend

Modules: :mod:`tokenlab.text` (standardization and tokenizers), :mod:`tokenlab.bpe`
(byte-level BPE), :mod:`tokenlab.corpus` (real corpora), :mod:`tokenlab.exercises`
(self-graded exercises) and :mod:`tokenlab.widgets` (widgets that also run without a kernel).
"""

__version__ = "0.1.0"
