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

import numpy as np
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
    assert set(corpus.CORPORA) == {"nsmc", "tinyshakespeare", "sentiment-sentences", "aclImdb"}
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
            if name == "aclImdb":
                continue  # not in ../shared/corpora: its checksum is checked in test_aclimdb_*
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
            if name == "aclImdb":
                continue  # not in ../shared/corpora, see test_aclimdb_*
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


# ---- lazy readers ---------------------------------------------------------------------------


def test_read_tsv_is_lazy_and_keeps_u0085(tmp_path):
    f = tmp_path / "r.tsv"
    f.write_bytes("\ufeffid\tdocument\tlabel\n1\t좋아\x85요\t1\n2\ta\u2028b\tpos\r\n3\t\t0\n"
                  "4\tx\ty\t0\n".encode())
    reader = corpus.read_tsv(f)
    assert iter(reader) is reader and not isinstance(reader, list)
    assert next(reader) == ("좋아\x85요", 1)
    assert list(reader) == [("a\u2028b", "pos"), ("", 0), ("x\ty", 0)]
    assert list(corpus.read_tsv(f, text_column="id", label_column=None))[0] == ("1", None)


def test_read_tsv_other_columns_and_wrong_header(tmp_path):
    f = tmp_path / "r.tsv"
    f.write_text("label\ttext\n7\thello\n", encoding="utf-8")
    assert list(corpus.read_tsv(f, text_column="text")) == [("hello", 7)]
    with pytest.raises(ValueError) as err:
        list(corpus.read_tsv(f))
    message = str(err.value)
    assert str(f) in message and "'label', 'text'" in message and "'document'" in message
    empty = tmp_path / "empty.tsv"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="header"):
        list(corpus.read_tsv(empty))
    short = tmp_path / "short.tsv"
    short.write_text("id\tdocument\tlabel\n1\tonly two\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        list(corpus.read_tsv(short))
    with pytest.raises(TypeError, match="path"):
        corpus.read_tsv(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="encoding"):
        corpus.read_tsv(f, encoding="no-such-codec")


def test_read_tsv_streams_a_large_file(tmp_path, monkeypatch):
    f = tmp_path / "big.tsv"
    with open(f, "w", encoding="utf-8") as out:
        out.write("id\tdocument\tlabel\n")
        for i in range(200_000):
            out.write(f"{i}\treview number {i}\t{i % 2}\n")
    import tracemalloc

    tracemalloc.start()
    n = sum(1 for _ in corpus.read_tsv(f))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n == 200_000
    assert peak < f.stat().st_size / 4, f"peak {peak} bytes for a {f.stat().st_size}-byte file"


@pytest.mark.parametrize("reader", ["tsv", "text_line", "text_paragraph", "text_file", "folder"])
def test_non_utf8_names_file_and_byte_offset(tmp_path, reader):
    head = "id\tdocument\tlabel\n1\t좋아요\t1\n".encode()
    data = head + b"2\tbad \xff byte\t0\n"
    offset = len(head) + len(b"2\tbad ")
    f = tmp_path / "bad.txt"
    if reader == "folder":
        (tmp_path / "pos").mkdir()
        f = tmp_path / "pos" / "bad.txt"
    f.write_bytes(data)
    if reader == "tsv":
        records = corpus.read_tsv(f)
    elif reader == "folder":
        records = corpus.read_folder(tmp_path)
    else:
        records = corpus.read_text(f, unit=reader.split("_")[1])
    with pytest.raises(ValueError) as err:
        list(records)
    assert str(f) in str(err.value) and f"byte offset {offset}" in str(err.value)
    assert not isinstance(err.value, UnicodeDecodeError)


def test_bad_byte_offset_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "_CHUNK", 7)
    f = tmp_path / "t.txt"
    f.write_bytes("가나다라마바사".encode() + b"\xe0\x80" + b"ok")
    assert corpus._bad_byte_offset(f, "utf-8") == 21
    f.write_bytes("가나다라".encode())
    assert corpus._bad_byte_offset(f, "utf-8") is None
    f.write_bytes("가나다라".encode()[:-1])  # truncated at the end
    assert corpus._bad_byte_offset(f, "utf-8") == 9


def test_read_text_units(tmp_path):
    f = tmp_path / "t.txt"
    f.write_bytes("A:\r\nHello.\n \t\nB:\nHi.\x85there\n\n\n\nC:\n".encode())
    assert list(corpus.read_text(f)) == [("A:", None), ("Hello.", None), ("B:", None),
                                         ("Hi.\x85there", None), ("C:", None)]
    assert list(corpus.read_text(f, unit="paragraph")) == [
        ("A:\nHello.", None), ("B:\nHi.\x85there", None), ("C:", None)]
    with open(f, encoding="utf-8", newline="") as fh:
        assert list(corpus.read_text(f, unit="file")) == [(fh.read(), None)]
    with pytest.raises(ValueError, match="unit"):
        corpus.read_text(f, unit="sentence")  # type: ignore[arg-type]
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café\n".encode("latin-1"))
    assert list(corpus.read_text(latin, encoding="latin-1")) == [("café", None)]


def make_folder(root: Path, docs: dict[str, dict[str, str]]) -> Path:
    for label, files in docs.items():
        (root / label).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (root / label / name).write_text(text, encoding="utf-8")
    return root


def test_read_folder_order_and_errors(tmp_path):
    root = make_folder(tmp_path / "train", {
        "pos": {"10_9.txt": "b", "2_10.txt": "a"},
        "neg": {"1_1.txt": "c\u2028d"},
        "unsup": {"0_0.txt": "u"},
    })
    (root / "urls_pos.txt").write_text("not a document", encoding="utf-8")
    (root / "pos" / "notes.md").write_text("ignored", encoding="utf-8")
    (root / ".hidden").mkdir()
    assert list(corpus.read_folder(root)) == [("c\u2028d", "neg"), ("b", "pos"), ("a", "pos"),
                                              ("u", "unsup")]
    assert [label for _, label in corpus.read_folder(root, labels=["pos", "neg"])] == [
        "pos", "pos", "neg"]
    (root / "empty").mkdir()
    with pytest.raises(ValueError, match="empty"):
        list(corpus.read_folder(root))
    with pytest.raises(ValueError, match="'missing'"):
        corpus.read_folder(root, labels=["missing"])
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ValueError, match="no label folder"):
        corpus.read_folder(bare)
    with pytest.raises(ValueError, match="root"):
        corpus.read_folder(tmp_path / "nope")


def test_load_still_streams_the_registry_files(toy):
    data = b"id\tdocument\tlabel\n1\tfine\t1\n"
    toy(data, layout="tsv", sha256s=(sha256(data),))
    assert corpus.load("toy") == [("fine", 1)]
    bad = "id\tdocument\tlabel\n1\t\xff\t1\n".encode("latin-1")
    toy(bad, layout="tsv", sha256s=(sha256(bad),))
    with pytest.raises(ValueError, match="byte offset 20"):
        corpus.load("toy")


# ---- aclImdb ------------------------------------------------------------------------------


def test_aclimdb_registry_entry():
    info = corpus.CORPORA["aclImdb"]
    assert info.layout == "folder" and info.folder == "aclImdb"
    assert info.files[0].url == "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    assert sorted(info.splits) == ["test", "train"] and info.labels == ("neg", "pos")
    assert info.files[0].sha256s == (
        "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",)


def test_aclimdb_absent_without_network_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TOKENLAB_DATA", str(tmp_path))

    def offline(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    for split in ("train", "test"):
        with pytest.raises(CorpusUnavailableError) as err:
            corpus.load("aclImdb", split=split)
        message = str(err.value)
        assert "aclImdb_v1.tar.gz" in message
        assert str(tmp_path / "aclImdb") in message and "TOKENLAB_DATA" in message
    # a copy the reader put there is checked against the recorded sha256, and kept
    (tmp_path / "aclImdb").mkdir(exist_ok=True)
    (tmp_path / "aclImdb" / "aclImdb_v1.tar.gz").write_bytes(b"anything")
    with pytest.raises(ValueError, match="c40f74a18d3b"):
        corpus.path("aclImdb", "aclImdb_v1.tar.gz")
    assert "aclImdb_v1.tar.gz" in leftovers(tmp_path / "aclImdb")


def test_aclimdb_unpacked_by_hand_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("TOKENLAB_DATA", str(tmp_path))
    top = tmp_path / "aclImdb" / "aclImdb"
    make_folder(top / "train", {"neg": {"0_3.txt": "Bad.<br />Very."},
                                "pos": {"0_9.txt": "Good.", "1_7.txt": "Fine."},
                                "unsup": {"0_0.txt": "?"}})
    make_folder(top / "test", {"neg": {"0_2.txt": "Meh."}, "pos": {"0_10.txt": "Wow."}})
    assert corpus.load("aclImdb") == [("Bad.<br />Very.", "neg"), ("Good.", "pos"),
                                      ("Fine.", "pos")]
    assert corpus.load("aclImdb", split="test") == [("Meh.", "neg"), ("Wow.", "pos")]


def test_folder_corpus_with_checksum_downloads_and_unpacks(tmp_path, monkeypatch):
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, text in [("box/train/neg/a.txt", b"no"), ("box/train/pos/b.txt", b"yes")]:
            info = tarfile.TarInfo(name)
            info.size = len(text)
            tf.addfile(info, io.BytesIO(text))
    payload = buf.getvalue()
    monkeypatch.setenv("TOKENLAB_DATA", str(tmp_path))
    spec = CorpusFile("box.tar.gz", "https://example.invalid/box.tar.gz", (sha256(payload),))
    monkeypatch.setitem(corpus.CORPORA, "box", CorpusInfo(
        "box", "d", "CC0", "folder", (spec,), splits={"train": ("box.tar.gz",)},
        default_split="train", folder="box"))
    calls = fake_urlopen(monkeypatch, payload)
    assert corpus.load("box") == [("no", "neg"), ("yes", "pos")]
    assert corpus.load("box") == [("no", "neg"), ("yes", "pos")]
    assert len(calls) == 1
    assert leftovers(tmp_path / "box") == ["box", "box.tar.gz"]
    with pytest.raises(ValueError, match="folder"):
        CorpusInfo("x", "d", "l", "folder", (spec,))


# ---- split, dedupe --------------------------------------------------------------------------


def labelled(n: int, positive: float = 0.3) -> list[tuple[str, int]]:
    return [(f"doc {i}", int(i < n * positive)) for i in range(n)]


def test_split_partitions_deterministically():
    records = labelled(1003)
    parts = corpus.split(records, [0.8, 0.1, 0.1], seed=7)
    assert [len(p) for p in parts] == [803, 100, 100]  # remainders .4, .3, .3
    assert sorted(r for p in parts for r in p) == sorted(records)
    assert corpus.split(records, (0.8, 0.1, 0.1), seed=7) == parts
    assert corpus.split(records, [0.8, 0.1, 0.1], seed=8) != parts
    assert corpus.split(iter(records), [0.8, 0.1, 0.1], seed=7) == parts
    assert records == labelled(1003), "the input is not mutated"
    assert corpus.split(records, [1.0], seed=0)[0] != records  # shuffled
    assert corpus.split([], [0.5, 0.5], seed=0) == [[], []]
    assert [len(p) for p in corpus.split(records, [0.0, 1.0], seed=0)] == [0, 1003]


def test_split_stratified_keeps_proportions():
    records = labelled(1000, positive=0.3) + [(f"x {i}", 2) for i in range(7)]
    train, val, test = corpus.split(records, [0.7, 0.15, 0.15], seed=1, stratify=True)
    assert sorted(train + val + test) == sorted(records)
    total = Counter(label for _, label in records)
    for part, f in [(train, 0.7), (val, 0.15), (test, 0.15)]:
        counts = Counter(label for _, label in part)
        for label, n in total.items():
            assert abs(counts[label] - n * f) <= 1, (label, counts, f)
    assert corpus.split(records, [0.7, 0.15, 0.15], seed=1, stratify=True) == [train, val, test]
    assert [label for _, label in train[:20]] != sorted(label for _, label in train[:20])


def test_split_rejects_bad_arguments():
    records = labelled(10)
    with pytest.raises(ValueError, match="sum to 1"):
        corpus.split(records, [0.5, 0.4], seed=0)
    with pytest.raises(ValueError, match=r"fractions\[1\]"):
        corpus.split(records, [1.5, -0.5], seed=0)
    with pytest.raises(ValueError, match="empty"):
        corpus.split(records, [], seed=0)
    with pytest.raises(TypeError, match="seed"):
        corpus.split(records, [1.0], seed=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed"):
        corpus.split(records, [1.0])  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="fractions"):
        corpus.split(records, 0.5, seed=0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="records"):
        corpus.split("text", [1.0], seed=0)
    assert len(corpus.split(records, [1 / 3] * 3, seed=0)) == 3  # sums to 1 within 1e-9


def test_dedupe_keeps_first_occurrence():
    records = [("Great!", 1), ("dull", 0), ("Great!", 0), ("great", 1), ("dull", 0),
               ("Great!", 1)]
    exact = corpus.dedupe(records)
    assert isinstance(exact, corpus.Deduped)
    assert exact == ([("Great!", 1), ("dull", 0), ("great", 1)], 3, 2)
    loose = corpus.dedupe(iter(records), standardized=True)
    assert loose.records == [("Great!", 1), ("dull", 0)] and loose.removed == 4
    assert loose.groups == 2
    assert corpus.dedupe([]) == ([], 0, 0)
    with pytest.raises(TypeError, match=r"records\[0\]"):
        corpus.dedupe([(1, 0)])
    with pytest.raises(TypeError, match="standardized"):
        corpus.dedupe(records, standardized="yes")  # type: ignore[arg-type]


def test_nsmc_duplicates(real_data):
    train = corpus.load("nsmc", split="train")
    exact = corpus.dedupe(train)
    loose = corpus.dedupe(train, standardized=True)
    assert len(exact.records) + exact.removed == len(train)
    assert loose.removed >= exact.removed > 0 and loose.groups >= 1
    assert len({text for text, _ in exact.records}) == len(exact.records)


# ---- stats -------------------------------------------------------------------------------


def test_stats_counts_and_heaps_are_exact():
    records = [("a b a c", 0), ("b d", 1), ("", None), ("a e f a", 1)]
    s = corpus.stats(records, tokenize=str.split)
    assert (s.documents, s.tokens, s.types) == (4, 10, 6)
    assert s.lengths.dtype == np.int64 and s.lengths.tolist() == [4, 2, 0, 4]
    assert s.label_counts == {0: 1, 1: 2, None: 1}
    assert s.counts.tolist() == [4, 2, 1, 1, 1, 1]
    assert s.heaps_tokens.tolist() == list(range(1, 11))
    # vocabulary after n tokens of "a b a c b d a e f a"
    assert s.heaps_types.tolist() == [1, 2, 2, 3, 3, 4, 4, 5, 6, 6]
    assert 0 < s.heaps_beta < 1 and s.heaps_k > 0


def test_stats_fits_synthetic_laws():
    rng = np.random.default_rng(0)
    ranks = np.arange(1, 20_001)
    p = 1.0 / ranks
    p /= p.sum()
    draws = rng.choice(len(ranks), size=300_000, p=p)
    docs = [(" ".join(f"w{i}" for i in chunk), 0) for chunk in np.array_split(draws, 1000)]
    s = corpus.stats(iter(docs), tokenize=str.split)
    assert s.tokens == 300_000 and s.documents == 1000
    assert -1.15 < s.zipf_slope < -0.85
    assert len(s.heaps_tokens) <= 200 and 150 <= len(s.heaps_tokens)
    assert s.heaps_tokens[0] == 1 and s.heaps_tokens[-1] == s.tokens
    assert s.heaps_types[-1] == s.types
    assert np.all(np.diff(s.heaps_types) >= 0) and np.all(np.diff(s.heaps_tokens) > 0)
    assert 0.3 < s.heaps_beta < 1.0


def test_stats_heaps_fit_recovers_a_square_root_law():
    # a new type exactly at the perfect-square positions: types(n) = floor(sqrt(n))
    n = 250_000
    squares = {k * k for k in range(1, 501)}
    stream, new = [], 0
    for t in range(1, n + 1):
        if t in squares:
            new += 1
            stream.append(f"t{new}")
        else:
            stream.append("t1")
    s = corpus.stats([(" ".join(stream), None)], tokenize=str.split)
    assert s.heaps_types.tolist() == [int(np.sqrt(x)) for x in s.heaps_tokens]
    assert abs(s.heaps_beta - 0.5) < 0.02 and 0.8 < s.heaps_k < 1.25


def test_stats_small_and_empty():
    empty = corpus.stats([])
    assert (empty.documents, empty.tokens, empty.types) == (0, 0, 0)
    assert np.isnan(empty.zipf_slope) and np.isnan(empty.heaps_beta)
    assert empty.counts.shape == (0,) and empty.heaps_tokens.shape == (0,)
    few = corpus.stats([("The cat, the CAT and a dog", 0)])  # default: standardize + words
    assert few.counts.tolist() == [2, 2, 1, 1, 1] and not np.isnan(few.zipf_slope)
    with pytest.raises(TypeError, match="tokenize"):
        corpus.stats([], tokenize="split")  # type: ignore[arg-type]


def test_stats_on_nsmc(real_data):
    s = corpus.stats(corpus.load("nsmc", split="test"))
    assert s.documents == 50_000 and s.label_counts.keys() == {0, 1}
    assert s.tokens == s.lengths.sum() and s.types == len(s.counts)
    assert -1.5 < s.zipf_slope < -0.5 and 0.4 < s.heaps_beta < 1.0


# ---- SequenceDataset and collate -------------------------------------------------------------


def test_sequence_dataset_with_dataloader():
    import torch
    from torch.utils.data import DataLoader

    from tokenlab.vectorize import TextVectorizer

    records = [("a rose is a rose", 1), ("a daisy", 0), ("tulip", 0), ("", 1)]
    v = TextVectorizer("int").fit([t for t, _ in records])
    data = corpus.SequenceDataset(records, v)
    assert len(data) == 4
    ids, label = data[0]
    assert ids.dtype == torch.int64 and label.dtype == torch.int64 and label.dim() == 0
    assert ids.tolist() == v.transform(["a rose is a rose"])[0].tolist()
    loader = DataLoader(data, batch_size=3, shuffle=False, collate_fn=corpus.collate)
    batches = list(loader)
    ids, mask, labels = batches[0]
    assert ids.shape == mask.shape == (3, 5) and mask.dtype == torch.bool
    assert torch.equal(ids, v.transform([t for t, _ in records[:3]]))
    assert mask.sum(dim=1).tolist() == [5, 2, 1] and torch.all(ids[~mask] == 0)
    assert labels.tolist() == [1, 0, 0]
    ids, mask, labels = batches[1]
    assert ids.shape == (1, 1) and not mask.any() and labels.tolist() == [1]
    cut = TextVectorizer("int", sequence_length=2).fit(["a rose is a rose"])
    assert corpus.SequenceDataset([("a rose is", 0)], cut)[0][0].tolist() == [2, 3]


def test_sequence_dataset_rejects_bad_input():
    from tokenlab.vectorize import TextVectorizer

    fitted = TextVectorizer("int").fit(["a b"])
    with pytest.raises(ValueError, match="output_mode"):
        corpus.SequenceDataset([("a", 0)], TextVectorizer("count").fit(["a"]))
    with pytest.raises(ValueError, match="fitted"):
        corpus.SequenceDataset([("a", 0)], TextVectorizer("int"))
    with pytest.raises(TypeError, match="vectorizer"):
        corpus.SequenceDataset([("a", 0)], object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"records\[1\].*'pos'"):
        corpus.SequenceDataset([("a", 0), ("b", "pos")], fitted)
    mapped = corpus.SequenceDataset([("a", "neg"), ("b", "pos")], fitted,
                                    label_index={"neg": 0, "pos": 1})
    assert [mapped[i][1].item() for i in range(2)] == [0, 1]
    with pytest.raises(ValueError, match="empty"):
        corpus.collate([])
