"""tokenlab: the tested package behind *Everything Is a Token*.

One pipeline, one module per step::

    raw text -> standardize -> tokenize -> index -> encode -> compare / attend

Modules, in the order of the pipeline: :mod:`tokenlab.text` (standardization and tokenizers),
:mod:`tokenlab.bpe` (byte-level BPE), :mod:`tokenlab.wordpiece` (BERT's WordPiece),
:mod:`tokenlab.vocab` (vocabularies), :mod:`tokenlab.vectorize` (int, one-hot, multi-hot, count
and tf-idf vectors), :mod:`tokenlab.corpus` (real corpora), :mod:`tokenlab.models` (pretrained
files), :mod:`tokenlab.similarity` (dot, cosine, scaled dot, top-k), :mod:`tokenlab.attention`
(scaled dot-product and multi-head attention, the encoder block), :mod:`tokenlab.positional`
(positional encodings) and :mod:`tokenlab.pretrained` (a pretrained BERT sentence encoder on
those blocks). Beyond text: :mod:`tokenlab.beyond` (patches, quantized readings,
feature tokens) and :mod:`tokenlab.cluster` (a simulated cluster placed by cross-attention).
Around them: :mod:`tokenlab.stats` (error bars: seed spreads, Wilson and McNemar intervals,
verdicts), :mod:`tokenlab.plot` (HTML heatmaps), :mod:`tokenlab.exercises` (self-graded
exercises) and :mod:`tokenlab.widgets` (widgets that also run without a kernel).
"""

__version__ = "0.1.0"
