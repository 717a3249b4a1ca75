"""Pretrained files on disk: a registry with upstream URLs and sha256, a cache, an offline folder.

The same mechanism as :mod:`tokenlab.corpus` (one shared implementation, ``tokenlab._registry``):
each model is registered in :data:`MODELS` with its files, where to download them and the
SHA-256 a file must have; :func:`path` finds a file under :func:`models_dir` (downloading it
when it is missing) and verifies it. Nothing here unpickles anything: weights are
``.safetensors`` files, read with ``safetensors`` by the code that loads them::

    >>> from tokenlab import models
    >>> sorted(models.MODELS)
    ['all-MiniLM-L6-v2', 'tiktoken']
    >>> models.MODELS["all-MiniLM-L6-v2"].licence
    'Apache-2.0'

Where the files live
--------------------
``TOKENLAB_MODELS`` (if set) names the models folder; otherwise it is ``models/`` in the user's
cache folder (``platformdirs.user_cache_dir("tokenlab")``). A model's files are in
``<models dir>/<name>/``. CI and offline builds set ``TOKENLAB_MODELS`` to a folder that
already holds the files (the project's ``../shared/models``); ``TOKENLAB_OFFLINE=1`` forbids
downloads altogether. Verification is cached in-process per (path, size, modification time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import _registry
from ._registry import RemoteFile

__all__ = ["MODELS", "ModelFile", "ModelInfo", "ModelUnavailableError", "models_dir", "path"]


class ModelUnavailableError(RuntimeError):
    """A model file is not on disk and could not be downloaded (offline, or no known URL)."""


class ModelFile(RemoteFile):
    """One file of a pretrained model and the SHA-256 that makes a copy acceptable.

    Parameters
    ----------
    name : str
        The file name inside the model's folder (it may name a subfolder,
        ``"1_Pooling/config.json"``).
    url : str or None
        The upstream address readers download it from.
    sha256s : tuple of str
        Accepted SHA-256 hex digests (lower case).
    git_blob : str or None
        The upstream git blob id, also accepted (unused by the registered models).

    Examples
    --------
    >>> MODELS["tiktoken"].file("o200k_base.tiktoken").sha256s[0][:12]
    '446a9538cb6c'
    """


@dataclass(frozen=True)
class ModelInfo:
    """A registered pretrained model: what it is, its licence and its files.

    Parameters
    ----------
    name : str
        The registry key and the folder name under :func:`models_dir`.
    description : str
        One line for readers.
    licence : str
        The licence of the files.
    files : tuple of ModelFile
        Every file of the model.

    Examples
    --------
    >>> [f.name for f in MODELS["tiktoken"].files]
    ['cl100k_base.tiktoken', 'o200k_base.tiktoken']
    """

    name: str
    description: str
    licence: str
    files: tuple[ModelFile, ...]

    def __post_init__(self) -> None:
        if not self.files:
            raise ValueError(f"files of model {self.name!r} must not be empty")
        names = [f.name for f in self.files]
        if len(set(names)) != len(names):
            raise ValueError(f"files of model {self.name!r} must have distinct names, "
                             f"got {names}")

    def file(self, name: str) -> ModelFile:
        """The registered file called ``name`` (ValueError naming the known files if none).

        Examples
        --------
        >>> MODELS["all-MiniLM-L6-v2"].file("vocab.txt").url.endswith("/resolve/main/vocab.txt")
        True
        """
        for f in self.files:
            if f.name == name:
                return f
        known = ", ".join(f.name for f in self.files)
        raise ValueError(f"file must be one of the files of model {self.name!r} ({known}), "
                         f"got {name!r}")


_MINILM_URL = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/"
_TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/"

_MINILM_FILES = (
    ("config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
    ("model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
    ("tokenizer.json", "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
    ("vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
    ("tokenizer_config.json",
     "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"),
    ("special_tokens_map.json",
     "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"),
    ("modules.json", "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"),
    ("sentence_bert_config.json",
     "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"),
    ("config_sentence_transformers.json",
     "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"),
    ("1_Pooling/config.json", "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"),
)

#: Every model :func:`path` knows, by name.
MODELS: dict[str, ModelInfo] = {
    "all-MiniLM-L6-v2": ModelInfo(
        name="all-MiniLM-L6-v2",
        description="sentence-transformers/all-MiniLM-L6-v2: a 6-layer, 384-wide uncased BERT "
        "sentence encoder (22.7 M parameters) with its WordPiece vocabulary; sentence "
        "embeddings are the mean of the last hidden states over real tokens, L2-normalised",
        licence="Apache-2.0",
        files=tuple(ModelFile(name, _MINILM_URL + name, (sha,)) for name, sha in _MINILM_FILES),
    ),
    "tiktoken": ModelInfo(
        name="tiktoken",
        description="OpenAI's byte-level BPE merge ranks cl100k_base (GPT-4) and o200k_base "
        "(GPT-4o), the files the tiktoken package downloads (one '<base64 bytes> <rank>' a line)",
        licence="MIT (published by OpenAI with tiktoken)",
        files=(
            ModelFile("cl100k_base.tiktoken", _TIKTOKEN_URL + "cl100k_base.tiktoken",
                      ("223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",)),
            ModelFile("o200k_base.tiktoken", _TIKTOKEN_URL + "o200k_base.tiktoken",
                      ("446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",)),
        ),
    ),
}

_STORE = _registry.Store("model", "TOKENLAB_MODELS", ModelUnavailableError,
                         cache_subdir="models")


def models_dir() -> Path:
    """The folder that holds every model: ``$TOKENLAB_MODELS``, else ``models/`` in the cache.

    The folder is not created here; :func:`path` creates it when it downloads.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"TOKENLAB_MODELS": "/data/models"}):
    ...     print(models_dir().as_posix())
    /data/models
    >>> with mock.patch.dict(os.environ, {"TOKENLAB_MODELS": ""}):  # empty or unset: the cache
    ...     print(models_dir().name, "tokenlab" in models_dir().parts)
    models True
    """
    return _STORE.root()


def _info(name: object) -> ModelInfo:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise ValueError(f"name must be a known model ({known}), got {name!r}") from None


def path(name: str, file: str | None = None) -> Path:
    """The verified local path of a model file, downloaded first if it is missing.

    Parameters
    ----------
    name : str
        A model in :data:`MODELS`.
    file : str, optional
        One of the model's file names (``"vocab.txt"``, ``"1_Pooling/config.json"``).
        Without it, every file of the model is checked and its folder is returned.

    Returns
    -------
    Path
        ``<models dir>/<name>/<file>`` (or ``<models dir>/<name>``).

    Raises
    ------
    TypeError
        If ``name`` or ``file`` is not a str.
    ValueError
        If ``name`` is unknown (the message lists the known models), ``file`` is not one of
        the model's files, or a file's SHA-256 is wrong (the message names the file and both
        digests; a download with a wrong checksum is deleted, a file already there is kept).
    ModelUnavailableError
        If a file is missing and cannot be downloaded; the message names the folder to put
        it in and the ``TOKENLAB_MODELS`` variable.

    Examples
    --------
    >>> import os
    >>> if not os.environ.get("TOKENLAB_MODELS"):  # the project's offline copies
    ...     os.environ["TOKENLAB_MODELS"] = "../shared/models"
    >>> p = path("tiktoken", "cl100k_base.tiktoken")
    >>> p.parent.name, p.stat().st_size
    ('tiktoken', 1681126)
    """
    info = _info(name)
    if file is None:
        for spec in info.files:
            path(name, spec.name)
        return models_dir() / info.name
    if not isinstance(file, str):
        raise TypeError(f"file must be a str or None, got {type(file).__name__}")
    return _STORE.fetch(info.name, info.files, info.file(file))
