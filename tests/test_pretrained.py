"""tokenlab.pretrained: all-MiniLM-L6-v2 on tokenlab's own kernels.

References: the published quick-start similarities of sentence-transformers (4 decimals), and
``transformers.BertModel`` loading the same checkpoint from the same local folder (hidden states
and attention weights within 1e-5 in float32; measured differences are about 4e-6).
"""

from __future__ import annotations

import json
import warnings

import pytest
import safetensors.torch
import torch

from tokenlab import models
from tokenlab.pretrained import (
    BertConfig,
    BertEncoder,
    SentenceEncoder,
    _checkpoint_names,
    load_encoder,
    load_weights,
    mean_pool,
)

NAME = "all-MiniLM-L6-v2"
QUICK_START = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
#: sentence-transformers' documentation: similarities of the quick-start sentences.
PUBLISHED = {(0, 1): 0.6660, (0, 2): 0.1046, (1, 2): 0.1411}
#: hidden states and attention weights against transformers.BertModel (float32).
ATOL = 1e-5

cuda = pytest.mark.cuda
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return load_encoder(NAME)


@pytest.fixture(scope="module")
def reference():
    transformers = pytest.importorskip("transformers")
    folder = models.path(NAME)  # every file sha256-checked
    model = transformers.BertModel.from_pretrained(
        str(folder), local_files_only=True, attn_implementation="eager"
    )
    return model.eval()


def tiny_config(**changes) -> BertConfig:
    fields = dict(vocab_size=12, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                  intermediate_size=16, max_position_embeddings=10, type_vocab_size=2)
    fields.update(changes)
    return BertConfig(**fields)


def tiny_checkpoint(config: BertConfig, seed: int = 0) -> dict[str, torch.Tensor]:
    """A random checkpoint with transformers' tensor names for ``config``."""
    torch.manual_seed(seed)
    state = BertEncoder(config).state_dict()
    return {theirs: state[ours].clone() for theirs, ours in _checkpoint_names(config).items()}


# ----------------------------------------------------------------------------- references


def test_quick_start_similarities_match_the_published_values(encoder):
    e = encoder.encode(QUICK_START)
    assert e.shape == (3, 384) and e.dtype == torch.float32
    sims = e @ e.T
    for (i, j), value in PUBLISHED.items():
        assert round(sims[i, j].item(), 4) == value, (i, j, sims[i, j].item())


def test_hidden_states_and_attention_equal_transformers_bert(encoder, reference):
    texts = [*QUICK_START, "A river bank, not a lender.", "Attention is all you need, they say."]
    batch = encoder.run(texts, output_hidden_states=True, output_attentions=True)
    with torch.no_grad():
        ref = reference(input_ids=batch.input_ids, attention_mask=batch.attention_mask,
                        output_hidden_states=True, output_attentions=True)
    ours = batch.output
    assert len(ours.hidden_states) == len(ref.hidden_states) == 7
    for layer, (a, b) in enumerate(zip(ours.hidden_states, ref.hidden_states, strict=True)):
        diff = (a - b).abs().max().item()  # padded positions included
        assert diff < ATOL, (layer, diff)
    for layer, (a, b) in enumerate(zip(ours.attentions, ref.attentions, strict=True)):
        assert a.shape == b.shape == (5, 12, batch.input_ids.shape[1], batch.input_ids.shape[1])
        assert (a - b).abs().max().item() < ATOL, layer
    torch.testing.assert_close(ours.last_hidden_state, ref.last_hidden_state, atol=ATOL, rtol=0)


def test_token_types_are_read_like_transformers(encoder, reference):
    ids = torch.tensor([[101, 1996, 4633, 102, 2009, 2003, 102]])
    types = torch.tensor([[0, 0, 0, 0, 1, 1, 1]])
    with torch.no_grad():
        ours = encoder.model(ids, None, types).last_hidden_state
        ref = reference(input_ids=ids, token_type_ids=types).last_hidden_state
        zero = encoder.model(ids).last_hidden_state
    torch.testing.assert_close(ours, ref, atol=ATOL, rtol=0)
    assert (ours - zero).abs().max() > 1e-2  # the token-type table is used


def test_sentence_embeddings_are_the_mean_of_transformers_states(encoder, reference):
    texts = ["short", "a somewhat longer sentence than the first one", *QUICK_START]
    batch = encoder.run(texts, output_hidden_states=False)
    with torch.no_grad():
        h = reference(input_ids=batch.input_ids, attention_mask=batch.attention_mask)
    m = batch.attention_mask.unsqueeze(-1).float()
    expected = torch.nn.functional.normalize((h.last_hidden_state * m).sum(1) / m.sum(1), dim=-1)
    torch.testing.assert_close(encoder.encode(texts), expected, atol=ATOL, rtol=0)
    # any batch size, and the order of the texts is kept
    torch.testing.assert_close(encoder.encode(texts, batch_size=1), expected, atol=ATOL, rtol=0)
    torch.testing.assert_close(encoder.encode(texts[::-1], batch_size=2), expected.flip(0),
                               atol=ATOL, rtol=0)


# ----------------------------------------------------------------------------- behaviour


def test_normalize_false_gives_the_raw_mean(encoder):
    raw = encoder.encode(QUICK_START, normalize=False)
    norms = raw.norm(dim=1)
    assert (norms - 1).abs().min() > 0.05  # not unit vectors
    torch.testing.assert_close(raw / norms[:, None], encoder.encode(QUICK_START))


def test_fast_and_explicit_attention_paths_agree(encoder):
    batch = encoder.run(QUICK_START, output_hidden_states=True, output_attentions=False)
    explicit = encoder.run(QUICK_START, output_hidden_states=True, output_attentions=True)
    assert batch.output.attentions is None
    for a, b in zip(batch.output.hidden_states, explicit.output.hidden_states, strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0)
    # the blocks keep their fast-path setting afterwards
    assert all(not layer.keep_attention for layer in encoder.model.layers)


def test_run_gives_tokens_and_parks_no_weight_on_padding(encoder):
    batch = encoder.run(["Hi.", "A river bank."], output_attentions=True)
    assert batch.tokens == [["[CLS]", "hi", ".", "[SEP]"],
                            ["[CLS]", "a", "river", "bank", ".", "[SEP]"]]
    assert batch.attention_mask.tolist() == [[1, 1, 1, 1, 0, 0], [1] * 6]
    for weights in batch.output.attentions:
        assert weights[0, :, :, 4:].abs().max().item() == 0.0
        torch.testing.assert_close(weights.sum(-1), torch.ones(2, 12, 6))


def test_empty_list_gives_no_rows(encoder):
    assert encoder.encode([]).shape == (0, 384)


def test_inputs_are_not_mutated(encoder):
    ids = torch.tensor([[101, 2002, 5225, 102, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 0]])
    before = ids.clone(), mask.clone()
    encoder.model(ids, mask)
    assert torch.equal(ids, before[0]) and torch.equal(mask, before[1])
    texts = list(QUICK_START)
    encoder.encode(texts)
    assert texts == QUICK_START


def test_mean_pool_ignores_padding_and_never_divides_by_zero():
    h = torch.arange(12.0).reshape(2, 3, 2)
    out = mean_pool(h, torch.tensor([[1, 0, 1], [0, 0, 0]]))
    assert out.tolist() == [[2.0, 3.0], [0.0, 0.0]]


# ----------------------------------------------------------------------------- long texts


def test_long_text_is_truncated_with_a_warning(encoder):
    long = "the bank of the river " * 80  # 400 word pieces
    with pytest.warns(UserWarning, match=r"1 of 2 texts \(the first at index 1\).*max_length=256"):
        e = encoder.encode(["short", long])
    cut = encoder.tokenizer([long], padding=True, truncation=True, max_length=256)
    assert len(cut["input_ids"][0]) == 256
    ids = torch.as_tensor(cut["input_ids"])
    with torch.no_grad():
        expected = encoder.model(ids).last_hidden_state.mean(1)
    torch.testing.assert_close(e[1], torch.nn.functional.normalize(expected, dim=-1)[0],
                               atol=ATOL, rtol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoder.encode([long], max_length=512)  # fits: no warning


def test_long_text_refused_without_truncation(encoder):
    with pytest.raises(ValueError, match=r"texts: 1 of 1 texts .* more than max_length=256"):
        encoder.encode(["word " * 300], truncate=False)
    with pytest.raises(ValueError, match="max_length must be at most the model's 512 positions"):
        encoder.encode(["word"], max_length=513)


def test_encoder_refuses_more_positions_than_it_has(encoder):
    with pytest.raises(ValueError, match="513 positions, more than the model's "
                                         "max_position_embeddings=512"):
        encoder.model(torch.ones(1, 513, dtype=torch.long))


# ----------------------------------------------------------------------------- bad input


def test_unknown_model_name():
    with pytest.raises(ValueError, match=r"name must be one of \['all-MiniLM-L6-v2'\], got 'bert'"):
        load_encoder("bert")
    with pytest.raises(TypeError, match="name must be a str"):
        load_encoder(3)


def _copy_model(tmp_path, corrupt: str, how: str):
    """A TOKENLAB_MODELS folder holding the real files, with ``corrupt`` damaged."""
    source = models.path(NAME)
    target = tmp_path / NAME
    target.mkdir()
    for name in ("config.json", "model.safetensors", "vocab.txt", "tokenizer.json",
                 "tokenizer_config.json", "special_tokens_map.json"):
        if name == corrupt:
            data = (source / name).read_bytes()
            if how == "truncate":
                data = data[: len(data) // 2]
            else:
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            (target / name).write_bytes(data)
        else:
            (target / name).symlink_to(source / name)
    return tmp_path


@pytest.mark.parametrize("how", ["truncate", "flip"])
@pytest.mark.parametrize("corrupt", ["model.safetensors", "config.json"])
def test_corrupted_or_truncated_file_is_refused_by_its_sha256(tmp_path, monkeypatch, corrupt, how):
    expected = models.MODELS[NAME].file(corrupt).sha256s[0]
    monkeypatch.setenv("TOKENLAB_MODELS", str(_copy_model(tmp_path, corrupt, how)))
    with pytest.raises(ValueError) as err:
        load_encoder(NAME)
    message = str(err.value)
    assert str(tmp_path / NAME / corrupt) in message and expected in message


def test_checkpoint_shapes_checked_against_the_config(tmp_path):
    config = json.loads(models.path(NAME, "config.json").read_text())
    config["intermediate_size"] = 1024
    file = tmp_path / "config.json"
    file.write_text(json.dumps(config))
    model = BertEncoder(BertConfig.from_file(file))
    with pytest.raises(ValueError, match=r"'encoder\.layer\.0\.intermediate\.dense\.(weight|bias)' "
                                         r"has shape \(1536(, 384)?,?\), but the config implies "
                                         r"\(1024(, 384)?,?\)"):
        load_weights(model, models.path(NAME, "model.safetensors"))


def test_tiny_checkpoint_round_trip_and_bad_checkpoints(tmp_path):
    config = tiny_config()
    good = tiny_checkpoint(config, seed=1)
    file = tmp_path / "good.safetensors"
    safetensors.torch.save_file(good, str(file))
    model = load_weights(BertEncoder(config), file)
    assert torch.equal(model.layers[1].self_attn.v_proj.bias,
                       good["encoder.layer.1.attention.self.value.bias"])
    assert torch.equal(model.positions.embedding.weight,
                       good["embeddings.position_embeddings.weight"])
    # a "bert." prefix, a pooler and a position-id buffer are accepted
    prefixed = {f"bert.{k}": v for k, v in good.items()}
    prefixed["bert.pooler.dense.weight"] = torch.zeros(8, 8)
    prefixed["bert.embeddings.position_ids"] = torch.arange(10)[None]
    safetensors.torch.save_file(prefixed, str(tmp_path / "prefixed.safetensors"))
    again = load_weights(BertEncoder(config), tmp_path / "prefixed.safetensors")
    assert torch.equal(again.word_embeddings.weight, model.word_embeddings.weight)

    missing = dict(good)
    del missing["encoder.layer.1.output.dense.bias"]
    safetensors.torch.save_file(missing, str(tmp_path / "missing.safetensors"))
    with pytest.raises(ValueError, match=r"lacks 1 tensors.*layer\.1\.output\.dense\.bias"):
        load_weights(BertEncoder(config), tmp_path / "missing.safetensors")

    extra = dict(good, **{"cls.predictions.bias": torch.zeros(12)})
    safetensors.torch.save_file(extra, str(tmp_path / "extra.safetensors"))
    with pytest.raises(ValueError, match=r"does not use: \['cls\.predictions\.bias'\]"):
        load_weights(BertEncoder(config), tmp_path / "extra.safetensors")

    torch.save(good, tmp_path / "pickle.bin")  # a pickle is never loaded
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        load_weights(BertEncoder(config), tmp_path / "pickle.bin")

    untouched = BertEncoder(config)
    before = {k: v.clone() for k, v in untouched.state_dict().items()}
    wrong = dict(good, **{"embeddings.word_embeddings.weight": torch.zeros(13, 8)})
    safetensors.torch.save_file(wrong, str(tmp_path / "wrong.safetensors"))
    with pytest.raises(ValueError, match=r"has shape \(13, 8\), but the config implies \(12, 8\)"):
        load_weights(untouched, tmp_path / "wrong.safetensors")
    assert all(torch.equal(before[k], v) for k, v in untouched.state_dict().items())


def test_config_validation():
    base = json.loads(models.path(NAME, "config.json").read_text())
    assert BertConfig.from_dict(base) == BertConfig(
        vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
        intermediate_size=1536, max_position_embeddings=512, type_vocab_size=2,
        layer_norm_eps=1e-12, pad_token_id=0)
    with pytest.raises(ValueError, match=r"config is missing \['hidden_size'\]"):
        BertConfig.from_dict({k: v for k, v in base.items() if k != "hidden_size"})
    with pytest.raises(ValueError, match="hidden_act must be 'gelu'.*'relu'"):
        BertConfig.from_dict(dict(base, hidden_act="relu"))
    with pytest.raises(ValueError, match="position_embedding_type must be 'absolute'"):
        BertConfig.from_dict(dict(base, position_embedding_type="relative_key"))
    with pytest.raises(ValueError, match="hidden_size=10 must be divisible by num_attention_heads"):
        tiny_config(hidden_size=10, num_attention_heads=4)
    with pytest.raises(TypeError, match="vocab_size must be an integer"):
        tiny_config(vocab_size=12.0)
    with pytest.raises(ValueError, match="layer_norm_eps must be a positive number"):
        tiny_config(layer_norm_eps=0.0)


def test_bad_texts_and_options(encoder):
    with pytest.raises(TypeError, match="got one str: wrap it"):
        encoder.encode("one sentence")
    with pytest.raises(TypeError, match="texts must all be strings, got int at index 1"):
        encoder.encode(["a", 3])
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        encoder.encode(["a"], batch_size=0)
    with pytest.raises(TypeError, match="normalize must be a bool"):
        encoder.encode(["a"], normalize="yes")
    with pytest.raises(ValueError, match="max_length must be >= 2"):
        encoder.encode(["a"], max_length=1)


def test_bad_ids_and_masks():
    model = BertEncoder(tiny_config())
    with pytest.raises(TypeError, match="input_ids must hold integers, got dtype torch.float32"):
        model(torch.ones(1, 3))
    with pytest.raises(ValueError, match=r"input_ids must be 2-D \(batch, L\), got shape \(3,\)"):
        model(torch.ones(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"input_ids must be in \[0, 12\), got values from 0 to"):
        model(torch.tensor([[0, 12]]))
    with pytest.raises(ValueError, match=r"attention_mask must have input_ids' shape \(1, 2\)"):
        model(torch.tensor([[1, 2]]), torch.tensor([[1, 1, 0]]))
    with pytest.raises(ValueError, match=r"attention_mask must hold values in \[0, 2\)"):
        model(torch.tensor([[1, 2]]), torch.tensor([[1, 2]]))
    with pytest.raises(ValueError, match=r"token_type_ids must hold values in \[0, 2\)"):
        model(torch.tensor([[1, 2]]), None, torch.tensor([[0, 2]]))
    # a boolean mask is accepted and equals the 0/1 mask
    a = model(torch.tensor([[1, 2, 0]]), torch.tensor([[True, True, False]])).last_hidden_state
    b = model(torch.tensor([[1, 2, 0]]), torch.tensor([[1, 1, 0]])).last_hidden_state
    assert torch.equal(a, b)


def test_padding_does_not_change_real_tokens():
    model = BertEncoder(tiny_config()).eval()
    alone = model(torch.tensor([[1, 5, 2]])).last_hidden_state
    padded = model(torch.tensor([[1, 5, 2, 0, 0]]), torch.tensor([[1, 1, 1, 0, 0]]))
    torch.testing.assert_close(padded.last_hidden_state[:, :3], alone, atol=1e-6, rtol=0)


# ----------------------------------------------------------------------------- cuda


@cuda
@needs_cuda
def test_cuda_matches_cpu(encoder):
    gpu = load_encoder(NAME, device="cuda")
    e = gpu.encode(QUICK_START)
    assert e.device.type == "cuda"
    torch.testing.assert_close(e.cpu(), encoder.encode(QUICK_START), atol=1e-4, rtol=0)
    batch = gpu.run(QUICK_START, output_attentions=True)
    assert batch.output.attentions[0].device.type == "cuda"
