"""tokenlab.models: the pretrained-file registry (the corpus registry's mechanism, shared).

Real files are read from ``$TOKENLAB_MODELS`` (``../shared/models`` when unset). No test
touches the network: ``urllib.request.urlopen`` is replaced in every test, by a guard that
fails or by a fake server.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tokenlab import _registry, corpus, models
from tokenlab.models import ModelFile, ModelInfo, ModelUnavailableError

SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"


@pytest.fixture(autouse=True)
def _models_and_no_network(monkeypatch):
    if not os.environ.get("TOKENLAB_MODELS"):
        monkeypatch.setenv("TOKENLAB_MODELS", str(SHARED_MODELS))
    monkeypatch.delenv("TOKENLAB_OFFLINE", raising=False)

    def no_network(*args, **kwargs):
        raise AssertionError(f"a test tried to reach the network: {args!r}")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


@pytest.fixture
def real_models():
    root = models.models_dir()
    if not (root / "tiktoken").is_dir():
        pytest.skip(f"the shared models are not at {root} (set TOKENLAB_MODELS)")
    return root


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fake_urlopen(monkeypatch, payloads: dict[str, bytes]) -> list[str]:
    calls: list[str] = []

    def urlopen(url, timeout=None):
        calls.append(url)
        return io.BytesIO(payloads[url])

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return calls


CONFIG = b'{"hidden_size": 4}\n'
POOLING = b'{"pooling_mode_mean_tokens": true}\n'


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A models folder in tmp_path and a registered two-file model "toy" (one in a subfolder)."""
    monkeypatch.setenv("TOKENLAB_MODELS", str(tmp_path))
    info = ModelInfo("toy", "a toy model", "CC0", (
        ModelFile("config.json", "https://example.invalid/config.json", (sha256(CONFIG),)),
        ModelFile("1_Pooling/config.json", "https://example.invalid/pool.json",
                  (sha256(POOLING),)),
    ))
    monkeypatch.setitem(models.MODELS, "toy", info)
    return tmp_path / "toy"


# ---- the registry --------------------------------------------------------------------------


def test_registry_entries():
    assert set(models.MODELS) == {"all-MiniLM-L6-v2", "tiktoken"}
    minilm = models.MODELS["all-MiniLM-L6-v2"]
    names = [f.name for f in minilm.files]
    for needed in ("config.json", "tokenizer.json", "vocab.txt", "model.safetensors",
                   "tokenizer_config.json", "1_Pooling/config.json"):
        assert needed in names
    assert minilm.licence == "Apache-2.0"
    assert minilm.file("model.safetensors").url == (
        "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/"
        "model.safetensors")
    tik = models.MODELS["tiktoken"]
    assert [f.name for f in tik.files] == ["cl100k_base.tiktoken", "o200k_base.tiktoken"]
    assert tik.file("o200k_base.tiktoken").url == (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken")
    for info in models.MODELS.values():
        assert info.description and info.licence
        for f in info.files:
            assert f.url and f.url.startswith("https://")
            assert len(f.sha256s) == 1 and re.fullmatch(r"[0-9a-f]{64}", f.sha256s[0])
            assert not f.name.endswith((".bin", ".pt", ".pkl", ".pth")), "never pickle"


def test_registry_sha256s_match_source_md():
    """Every file listed in a SOURCE.md's sha256 block is registered with that digest."""
    for name, info in models.MODELS.items():
        source = SHARED_MODELS / name / "SOURCE.md"
        if not source.is_file():
            pytest.skip(f"no {source}")
        rows = re.findall(r"^\s+([0-9a-f]{64})\s+(\S+)\s*$", source.read_text("utf-8"), re.M)
        assert rows, source
        assert {file: (digest,) for digest, file in rows} == {
            f.name: f.sha256s for f in info.files}


def test_one_mechanism_with_the_corpora():
    assert isinstance(models._STORE, _registry.Store)
    assert isinstance(corpus._STORE, _registry.Store)
    assert type(models._STORE) is type(corpus._STORE)
    assert issubclass(ModelFile, _registry.RemoteFile)
    assert issubclass(corpus.CorpusFile, _registry.RemoteFile)
    assert models._STORE.env == "TOKENLAB_MODELS" and corpus._STORE.env == "TOKENLAB_DATA"


def test_model_info_validates():
    f = ModelFile("a.json", None, ("0" * 64,))
    with pytest.raises(ValueError, match="files"):
        ModelInfo("x", "d", "l", ())
    with pytest.raises(ValueError, match="distinct"):
        ModelInfo("x", "d", "l", (f, f))
    with pytest.raises(ValueError, match=r"a\.json"):
        ModelInfo("x", "d", "l", (f,)).file("b.json")


def test_models_dir_from_env_and_default(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.setenv("TOKENLAB_MODELS", str(tmp_path))
    assert models.models_dir() == tmp_path
    monkeypatch.setenv("TOKENLAB_MODELS", "~/models")
    assert models.models_dir() == Path.home() / "models"
    monkeypatch.delenv("TOKENLAB_MODELS")
    assert models.models_dir() == Path(platformdirs.user_cache_dir("tokenlab")) / "models"
    monkeypatch.setenv("TOKENLAB_DATA", str(tmp_path / "corpora"))
    assert models.models_dir() != corpus.data_dir(), "models do not share the corpora's folder"


def test_unknown_name_or_file():
    with pytest.raises(ValueError) as err:
        models.path("bert-base-uncased", "vocab.txt")
    assert "all-MiniLM-L6-v2" in str(err.value) and "tiktoken" in str(err.value)
    assert "bert-base-uncased" in str(err.value)
    with pytest.raises(ValueError, match="vocab.txt"):
        models.path("tiktoken", "vocab.txt")
    with pytest.raises(TypeError, match="name"):
        models.path(3, "vocab.txt")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="file"):
        models.path("tiktoken", 3)  # type: ignore[arg-type]


def test_real_files_pass_their_checksums(real_models):
    _registry.VERIFIED.clear()
    for name, info in models.MODELS.items():
        if not (real_models / name).is_dir():
            pytest.skip(f"{real_models / name} is missing")
        for f in info.files:
            p = models.path(name, f.name)
            assert p == real_models / name / f.name
            assert _registry.digests(p, p.stat().st_size)[0] in f.sha256s
    assert models.path("tiktoken") == real_models / "tiktoken"


# ---- missing, corrupted and downloaded files ------------------------------------------------


def test_missing_file_offline_names_the_folder(toy, monkeypatch):
    monkeypatch.setenv("TOKENLAB_OFFLINE", "1")
    with pytest.raises(ModelUnavailableError) as err:
        models.path("toy", "config.json")  # the autouse guard fails the test on any download
    message = str(err.value)
    assert str(toy) in message and "TOKENLAB_MODELS" in message and "TOKENLAB_OFFLINE" in message
    assert "config.json" in message and isinstance(err.value, RuntimeError)


def test_real_model_missing_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("TOKENLAB_MODELS", str(tmp_path))

    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(ModelUnavailableError) as err:
        models.path("tiktoken", "o200k_base.tiktoken")
    message = str(err.value)
    assert str(tmp_path / "tiktoken") in message and "TOKENLAB_MODELS" in message
    assert "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken" in message
    assert sorted(p.name for p in (tmp_path / "tiktoken").iterdir()) == []


def test_corrupted_file_names_file_and_both_digests(toy):
    target = toy / "config.json"
    target.parent.mkdir(parents=True)
    target.write_bytes(CONFIG[:-2])  # truncated
    with pytest.raises(ValueError) as err:
        models.path("toy", "config.json")
    message = str(err.value)
    assert str(target) in message
    assert sha256(CONFIG) in message and sha256(CONFIG[:-2]) in message
    assert target.read_bytes() == CONFIG[:-2], "a file the reader put there is left alone"


def test_download_into_subfolder_verifies_then_renames(toy, monkeypatch):
    calls = fake_urlopen(monkeypatch, {"https://example.invalid/config.json": CONFIG,
                                       "https://example.invalid/pool.json": POOLING})
    assert models.path("toy") == toy
    assert models.path("toy", "1_Pooling/config.json") == toy / "1_Pooling" / "config.json"
    assert (toy / "1_Pooling" / "config.json").read_bytes() == POOLING
    assert sorted(p.name for p in toy.iterdir()) == ["1_Pooling", "config.json"]
    assert sorted(p.name for p in (toy / "1_Pooling").iterdir()) == ["config.json"]
    models.path("toy", "config.json")
    assert len(calls) == 2, "a present file is not downloaded again"


def test_download_with_wrong_checksum_is_deleted(toy, monkeypatch):
    fake_urlopen(monkeypatch, {"https://example.invalid/config.json": b"<html>429</html>"})
    with pytest.raises(ValueError) as err:
        models.path("toy", "config.json")
    assert sha256(CONFIG) in str(err.value) and sha256(b"<html>429</html>") in str(err.value)
    assert "https://example.invalid/config.json" in str(err.value)
    assert not (toy / "config.json").exists()
    assert sorted(p.name for p in toy.iterdir()) == [], "the partial download is deleted"
