"""tokenlab.corpus: the registry, checked local files and downloads, and the readers.

Real loads read ``$TOKENLAB_DATA`` (``../shared/corpora`` when unset). No test touches the
network: ``urllib.request.urlopen`` is replaced in every test, by a guard that fails or by a
fake server.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from tokenlab import corpus
from tokenlab.corpus import CorpusFile, CorpusInfo, CorpusUnavailableError

SHARED_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


@pytest.fixture(autouse=True)
def _data_and_no_network(monkeypatch):
    """Point TOKENLAB_DATA at the shared corpora when unset; forbid real downloads."""
    import os

    if not os.environ.get("TOKENLAB_DATA"):
        monkeypatch.setenv("TOKENLAB_DATA", str(SHARED_CORPORA))
    monkeypatch.delenv("TOKENLAB_OFFLINE", raising=False)

    def no_network(*args, **kwargs):
        raise AssertionError(f"a test tried to reach the network: {args!r}")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


@pytest.fixture
def real_data():
    root = corpus.data_dir()
    if not (root / "nsmc").is_dir():
        pytest.skip(f"the shared corpora are not at {root} (set TOKENLAB_DATA)")
    return root


def git_blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A data folder in tmp_path and a factory registering a one-file corpus "toy"."""
    monkeypatch.setenv("TOKENLAB_DATA", str(tmp_path))

    def register(content: bytes | None, *, layout="lines_tab", sha256s=(), blob=None,
                 url="https://example.invalid/toy.txt", write=True) -> Path:
        info = CorpusInfo(
            name="toy", description="a toy corpus", licence="CC0", layout=layout,
            files=(CorpusFile("toy.txt", url, tuple(sha256s), blob),),
        )
        monkeypatch.setitem(corpus.CORPORA, "toy", info)
        target = tmp_path / "toy" / "toy.txt"
        if write and content is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return target

    return register


def fake_urlopen(monkeypatch, payload: bytes) -> list[str]:
    calls: list[str] = []

    def urlopen(url, timeout=None):
        calls.append(url)
        return io.BytesIO(payload)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return calls


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# ---- registry and data folder ------------------------------------------------------------------


def test_registry_entries():
    assert set(corpus.CORPORA) == {"nsmc", "tinyshakespeare", "sentiment-sentences"}
    nsmc = corpus.CORPORA["nsmc"]
    assert nsmc.layout == "tsv" and nsmc.default_split == "train"
    assert [f.name for f in nsmc.files] == ["ratings_train.txt", "ratings_test.txt"]
    train, test = nsmc.files
    assert train.url == "https://raw.githubusercontent.com/e9t/nsmc/master/ratings_train.txt"
    assert train.git_blob == "ac0dba272895dc1d0b3dd5f11afbeaeb7abe7876"
    assert test.git_blob == "b6cfcd8cd1557bcd9bf06617b0e429ed73e9a367"
    shakespeare = corpus.CORPORA["tinyshakespeare"]
    assert shakespeare.layout == "text"
    assert shakespeare.files[0].url.endswith("char-rnn/master/data/tinyshakespeare/input.txt")
    assert shakespeare.files[0].git_blob == "7dcb3a2d4cc3b48b6283dd46870bfeb78f88aac9"
    sentences = corpus.CORPORA["sentiment-sentences"]
    assert sentences.layout == "lines_tab"
    assert all(f.url is None for f in sentences.files)
    for info in corpus.CORPORA.values():
        assert info.description and info.licence
        for f in info.files:
            assert f.sha256s and all(re.fullmatch(r"[0-9a-f]{64}", s) for s in f.sha256s)


def test_registry_sha256s_match_source_md():
    """The checksums in the registry are the ones the corpora's SOURCE.md files state."""
    for name, info in corpus.CORPORA.items():
        source = SHARED_CORPORA / name / "SOURCE.md"
        if not source.is_file():
            pytest.skip(f"no {source}")
        text = source.read_text(encoding="utf-8")
        for f in info.files:
            row = next(line for line in text.splitlines() if line.startswith(f"| {f.name} |"))
            assert row.split("|")[-2].strip() in f.sha256s


def test_corpus_info_validates():
    file = CorpusFile("a.txt", None, ("0" * 64,))
    with pytest.raises(ValueError, match="layout"):
        CorpusInfo("x", "d", "l", "csv", (file,))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="files"):
        CorpusInfo("x", "d", "l", "text", ())
    with pytest.raises(ValueError, match="splits"):
        CorpusInfo("x", "d", "l", "text", (file,), splits={"train": ("b.txt",)})
    with pytest.raises(ValueError, match="default_split"):
        CorpusInfo("x", "d", "l", "text", (file,), default_split="train")
    with pytest.raises(ValueError, match="a.txt"):
        CorpusInfo("x", "d", "l", "text", (file,)).file("b.txt")


def test_data_dir_from_env_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv("TOKENLAB_DATA", str(tmp_path))
    assert corpus.data_dir() == tmp_path
    monkeypatch.setenv("TOKENLAB_DATA", "~/corpora")
    assert corpus.data_dir() == Path.home() / "corpora"
    monkeypatch.delenv("TOKENLAB_DATA")
    import platformdirs

    assert corpus.data_dir() == Path(platformdirs.user_cache_dir("tokenlab"))


def test_unknown_names_and_splits():
    with pytest.raises(ValueError, match="nsmc, sentiment-sentences, tinyshakespeare"):
        corpus.path("imdb")
    with pytest.raises(ValueError, match="known corpus"):
        corpus.load("nope")
    with pytest.raises(TypeError, match="name"):
        corpus.load(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="split.*'train', 'test'.*'validation'"):
        corpus.load("nsmc", split="validation")
    with pytest.raises(ValueError, match="split"):
        corpus.load("tinyshakespeare", split="train")
    with pytest.raises(TypeError, match="split"):
        corpus.load("nsmc", split=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ratings_train.txt, ratings_test.txt"):
        corpus.path("nsmc", "ratings.txt")
    with pytest.raises(TypeError, match="file"):
        corpus.path("nsmc", 1)  # type: ignore[arg-type]


# ---- real corpora ---------------------------------------------------------------------------


def test_nsmc_splits(real_data):
    train = corpus.load("nsmc", split="train")
    test = corpus.load("nsmc", split="test")
    assert len(train) == 150_000 and len(test) == 50_000
    assert corpus.load("nsmc") == train
    labels = Counter(label for _, label in train + test)
    assert labels == {0: 100_000, 1: 100_000}
    for records in (train, test):
        positive = sum(label for _, label in records) / len(records)
        assert 0.49 < positive < 0.51
        assert all(isinstance(text, str) and "\t" not in text and "\n" not in text
                   for text, _ in records)
    assert any("영화" in text for text, _ in train[:100])
    assert corpus.path("nsmc", "ratings_test.txt") == real_data / "nsmc" / "ratings_test.txt"


def test_sentiment_sentences_split_on_newline_only(real_data):
    per_file = {s: corpus.load("sentiment-sentences", split=s) for s in ("imdb", "amazon", "yelp")}
    for split, records in per_file.items():
        assert len(records) == 1000, split
        assert Counter(label for _, label in records) == {0: 500, 1: 500}
        assert all(text and text == text.strip(" ") for text, _ in records)
    # imdb holds U+0085 (NEL) inside sentences: splitlines() would make more than 1,000 records.
    assert sum("\x85" in text for text, _ in per_file["imdb"]) >= 1
    raw = (real_data / "sentiment-sentences" / "imdb_labelled.txt").read_text(encoding="utf-8")
    assert len(raw.splitlines()) > 1000
    everything = corpus.load("sentiment-sentences")
    assert everything == per_file["imdb"] + per_file["amazon"] + per_file["yelp"]
    assert corpus.path("sentiment-sentences") == real_data / "sentiment-sentences"


def test_tinyshakespeare_speeches(real_data):
    speeches = corpus.load("tinyshakespeare")
    assert len(speeches) == 7222
    assert all(label is None for _, label in speeches)
    assert speeches[0][0] == "First Citizen:\nBefore we proceed any further, hear me speak."
    assert all(text.strip() and "\n\n" not in text for text, _ in speeches)
    raw = corpus.path("tinyshakespeare").read_text(encoding="utf-8")
    joined = "\n\n".join(text for text, _ in speeches)
    assert joined == re.sub(r"\n{3,}", "\n\n", raw).strip("\n")


def test_real_files_pass_their_checksums(real_data):
    corpus._VERIFIED.clear()
    for name, info in corpus.CORPORA.items():
        for f in info.files:
            p = corpus.path(name, f.name)
            digest, _ = corpus._digests(p, p.stat().st_size)
            assert digest in f.sha256s


# ---- checksums ------------------------------------------------------------------------------

CONTENT = "hello world\t1\nsecond\x85line\t0\n".encode()


def test_git_blob_id_definition():
    assert git_blob(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # git's empty blob
    git = shutil.which("git")
    if git:
        out = subprocess.run([git, "hash-object", "--stdin"], input=CONTENT,
                             capture_output=True, check=True).stdout.decode().strip()
        assert out == git_blob(CONTENT)


def test_accepts_file_by_sha256(toy):
    target = toy(CONTENT, sha256s=(sha256(CONTENT),))
    assert corpus.path("toy", "toy.txt") == target
    assert corpus.path("toy") == target
    assert corpus.load("toy") == [("hello world", 1), ("second\x85line", 0)]


def test_accepts_file_by_git_blob(toy):
    target = toy(CONTENT, sha256s=("0" * 64,), blob=git_blob(CONTENT))
    assert corpus.path("toy") == target


def test_wrong_local_file_raises_naming_expected_and_actual(toy):
    target = toy(CONTENT, sha256s=("a" * 64,), blob="b" * 40)
    with pytest.raises(ValueError) as err:
        corpus.path("toy")
    message = str(err.value)
    assert str(target) in message
    assert "a" * 64 in message and "b" * 40 in message
    assert sha256(CONTENT) in message and git_blob(CONTENT) in message
    assert target.read_bytes() == CONTENT, "a file the reader put there is left alone"


def test_verification_is_cached_per_size_and_mtime(toy, monkeypatch):
    import os

    target = toy(CONTENT, sha256s=(sha256(CONTENT),))
    calls = []
    real = corpus._digests
    monkeypatch.setattr(corpus, "_digests", lambda f, n: calls.append(f) or real(f, n))
    for _ in range(3):
        corpus.path("toy")
    assert len(calls) == 1
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    corpus.path("toy")
    assert len(calls) == 2
    target.write_bytes(CONTENT[:-1])
    with pytest.raises(ValueError, match="wrong checksum"):
        corpus.path("toy")


# ---- downloads -----------------------------------------------------------------------------


def test_download_verifies_then_renames(toy, monkeypatch, tmp_path):
    target = toy(CONTENT, sha256s=(sha256(CONTENT),), write=False)
    calls = fake_urlopen(monkeypatch, CONTENT)
    assert corpus.path("toy") == target
    assert calls == ["https://example.invalid/toy.txt"]
    assert target.read_bytes() == CONTENT
    assert leftovers(target.parent) == ["toy.txt"]
    assert corpus.load("toy")[0] == ("hello world", 1)
    assert len(calls) == 1, "a present file is not downloaded again"


def test_download_accepted_by_git_blob(toy, monkeypatch):
    target = toy(CONTENT, blob=git_blob(CONTENT), write=False)
    fake_urlopen(monkeypatch, CONTENT)
    assert corpus.path("toy") == target and target.read_bytes() == CONTENT


def test_download_with_wrong_checksum_is_deleted(toy, monkeypatch):
    target = toy(CONTENT, sha256s=(sha256(CONTENT),), blob=git_blob(CONTENT), write=False)
    fake_urlopen(monkeypatch, b"<html>rate limited</html>")
    with pytest.raises(ValueError) as err:
        corpus.path("toy")
    message = str(err.value)
    assert sha256(CONTENT) in message, "the message names the expected checksum"
    assert sha256(b"<html>rate limited</html>") in message, "and the actual one"
    assert not target.exists()
    assert leftovers(target.parent) == [], "the partial download is deleted"


def test_no_network_gives_a_helpful_error(toy, monkeypatch):
    target = toy(None, sha256s=(sha256(CONTENT),))

    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(CorpusUnavailableError) as err:
        corpus.load("toy")
    message = str(err.value)
    assert str(target.parent) in message and "toy.txt" in message
    assert "TOKENLAB_DATA" in message and "https://example.invalid/toy.txt" in message
    assert isinstance(err.value, RuntimeError)
    assert leftovers(target.parent) == []


def test_offline_mode_never_downloads(toy, monkeypatch):
    target = toy(None, sha256s=(sha256(CONTENT),))
    monkeypatch.setenv("TOKENLAB_OFFLINE", "1")
    with pytest.raises(CorpusUnavailableError, match="TOKENLAB_OFFLINE") as err:
        corpus.path("toy")  # the autouse guard would fail the test on any download
    assert str(target.parent) in str(err.value) and "TOKENLAB_DATA" in str(err.value)


def test_corpus_without_url_is_local_only(toy, monkeypatch, tmp_path):
    target = toy(None, sha256s=(sha256(CONTENT),), url=None)
    with pytest.raises(CorpusUnavailableError) as err:
        corpus.path("toy")
    message = str(err.value)
    assert "only available from a local data folder" in message
    assert str(target.parent) in message and "TOKENLAB_DATA" in message


def test_real_corpus_missing_names_where_to_put_it(monkeypatch, tmp_path):
    monkeypatch.setenv("TOKENLAB_DATA", str(tmp_path))
    with pytest.raises(CorpusUnavailableError) as err:
        corpus.load("sentiment-sentences", split="yelp")
    assert str(tmp_path / "sentiment-sentences") in str(err.value)
    assert "yelp_labelled.txt" in str(err.value)


# ---- readers --------------------------------------------------------------------------------


def test_tsv_reader(toy):
    data = "id\tdocument\tlabel\n1\t좋아요\u2028정말\t1\n2\t\t0\r\n3\t별로\x85예요\t0\n".encode()
    toy(data, layout="tsv", sha256s=(sha256(data),))
    assert corpus.load("toy") == [("좋아요\u2028정말", 1), ("", 0), ("별로\x85예요", 0)]


def test_tsv_reader_rejects_bad_files(toy):
    bad_header = b"document\tlabel\nfoo\t1\n"
    toy(bad_header, layout="tsv", sha256s=(sha256(bad_header),))
    with pytest.raises(ValueError, match="header"):
        corpus.load("toy")
    bad_label = b"id\tdocument\tlabel\n1\tfoo\tpositive\n"
    toy(bad_label, layout="tsv", sha256s=(sha256(bad_label),))
    with pytest.raises(ValueError, match="line 2.*label"):
        corpus.load("toy")


def test_lines_tab_reader_rejects_lines_without_a_score(toy):
    data = b"good\t1\nno score here\n"
    toy(data, sha256s=(sha256(data),))
    with pytest.raises(ValueError, match="line 2"):
        corpus.load("toy")


def test_text_reader_blocks(toy):
    data = b"A:\nHello.\n\nB:\nHi.\nBye.\n\n\n\nC:\nEnd.\n"
    toy(data, layout="text", sha256s=(sha256(data),))
    assert corpus.load("toy") == [("A:\nHello.", None), ("B:\nHi.\nBye.", None),
                                  ("C:\nEnd.", None)]
