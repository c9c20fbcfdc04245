"""Transformer layers: a BERT-base encoder layer and a GPT-2 small block (prefill and decode).

Shapes from Devlin et al. (NAACL 2019) and Radford et al. (2019): hidden 768, 12 heads of 64,
FFN 3072, GELU. Sequences are (S, D) with no batch axis. Q, K, V and O projections and the FFN
are static-weight Linear layers on (S, D) (crossbar MVMs); GPT-2's fused c_attn is written as
separate Q, K, V projections (same MACs and parameters). Heads are explicit tensor axes: Q and
V are reshaped (S, D) -> (S, H, d) and transposed to (H, S, d), K to (H, d, S), so Q.K^T and
softmax.V are each one MatMul of activations batched over H (digital work, not crossbars):
(H, S, d) x (H, d, S) -> (H, S, S) and (H, S, S) x (H, S, d) -> (H, S, d). The 1/sqrt(d)
scaling and GPT-2's causal mask are element-wise ops with a constant. Embeddings and the LM
head are outside the block. Per layer: 7,087,872 parameters; MACs 4SD^2 + 2SD*FFN + 2S^2*D
(931,135,488 at S = 128).
"""

from __future__ import annotations

import math

from workloads.errors import WorkloadError
from workloads.ir import (
    Add,
    CausalMask,
    Concat,
    Elementwise,
    Graph,
    LayerNorm,
    MatMul,
    Reshape,
    Softmax,
    Transpose,
)
from workloads.zoo._builder import GraphBuilder, check_positive

_D, _HEADS, _FFN = 768, 12, 3072
_BERT_NORM_EPS = 1e-12
"""BERT's LayerNorm epsilon (``layer_norm_eps`` of the released bert-base config; Devlin et
al.'s TensorFlow code); GPT-2 keeps PyTorch's 1e-5 (``layer_norm_epsilon``)."""


def _heads(b: GraphBuilder, name: str, x: str, seq: int, heads: int, perm: tuple[int, ...]) -> str:
    """(S, D) -> (S, H, d) -> transposed by ``perm``."""
    d = -1
    y = b.add(f"{name}.split", Reshape((seq, heads, d)), x)
    return b.add(f"{name}.perm", Transpose(perm), y)


def _attention(
    b: GraphBuilder, p: str, x: str, seq: int, dim: int, heads: int, causal: bool,
    cache: tuple[str, str] | None = None,
) -> str:  # fmt: skip
    """Multi-head self-attention on x (seq, dim); with ``cache`` (K, V of shape (H, L, d))
    the new token's K and V are appended along the sequence axis before attending."""
    q = b.linear(f"{p}.q", x, dim)
    k = b.linear(f"{p}.k", x, dim)
    v = b.linear(f"{p}.v", x, dim)
    qh = _heads(b, f"{p}.q", q, seq, heads, (1, 0, 2))
    vh = _heads(b, f"{p}.v", v, seq, heads, (1, 0, 2))
    if cache is None:
        kt = _heads(b, f"{p}.k", k, seq, heads, (1, 2, 0))
    else:
        kh = _heads(b, f"{p}.k", k, seq, heads, (1, 0, 2))
        k_all = b.add(f"{p}.k_cat", Concat(axis=1), cache[0], kh)
        vh = b.add(f"{p}.v_cat", Concat(axis=1), cache[1], vh)
        kt = b.add(f"{p}.k_t", Transpose((0, 2, 1)), k_all)
    s = b.add(f"{p}.scores", MatMul(), qh, kt)
    s = b.add(f"{p}.scale", Elementwise.of("mul", 1.0 / math.sqrt(dim // heads)), s)
    if causal and cache is None:  # no attending to later tokens
        s = b.add(f"{p}.mask", CausalMask(), s)
    s = b.add(f"{p}.softmax", Softmax(-1), s)
    ctx = b.add(f"{p}.context", MatMul(), s, vh)
    ctx = b.add(f"{p}.merge_perm", Transpose((1, 0, 2)), ctx)
    ctx = b.add(f"{p}.merge", Reshape((seq, dim)), ctx)
    return b.linear(f"{p}.o", ctx, dim)


def _ffn(b: GraphBuilder, p: str, x: str, ffn: int, dim: int) -> str:
    y = b.linear(f"{p}.fc1", x, ffn, act="gelu")
    return b.linear(f"{p}.fc2", y, dim)


def bert_base(
    seq_len: int = 128, layers: int = 1, hidden: int = _D, heads: int = _HEADS, ffn: int = _FFN
) -> Graph:
    """BERT-base encoder layer(s) on (seq_len, 768), post-LayerNorm: 7.09 M params per layer.

    ``hidden=1024, heads=16, ffn=4096`` gives BERT-large layers.
    """
    check_positive("bert_base", seq_len=seq_len, layers=layers, hidden=hidden, heads=heads)
    check_positive("bert_base", ffn=ffn)
    if hidden % heads:
        raise WorkloadError("workload 'bert_base'", f"hidden {hidden} not divisible by {heads}")
    b = GraphBuilder("bert_base", (("input", (seq_len, hidden)),))
    x = "input"
    for i in range(layers):
        p = f"layer{i}"
        a = _attention(b, f"{p}.attn", x, seq_len, hidden, heads, causal=False)
        h = b.add(f"{p}.attn_add", Add(), x, a)
        h = b.add(f"{p}.attn_norm", LayerNorm(eps=_BERT_NORM_EPS), h)
        f = _ffn(b, f"{p}.ffn", h, ffn, hidden)
        x = b.add(f"{p}.ffn_add", Add(), h, f)
        x = b.add(f"{p}.ffn_norm", LayerNorm(eps=_BERT_NORM_EPS), x)
    return b.build()


def _gpt2(name: str, seq: int, blocks: int, kv_len: int | None) -> Graph:
    inputs: list[tuple[str, tuple[int, ...]]] = [("input", (seq, _D))]
    if kv_len is not None:
        for i in range(blocks):
            for t in ("k", "v"):
                inputs.append((f"block{i}.{t}_cache", (_HEADS, kv_len, _D // _HEADS)))
    b = GraphBuilder(name, inputs)
    x = "input"
    for i in range(blocks):
        p = f"block{i}"
        cache = None if kv_len is None else (f"{p}.k_cache", f"{p}.v_cache")
        h = b.add(f"{p}.ln1", LayerNorm(), x)
        a = _attention(b, f"{p}.attn", h, seq, _D, _HEADS, causal=True, cache=cache)
        x = b.add(f"{p}.attn_add", Add(), x, a)
        h = b.add(f"{p}.ln2", LayerNorm(), x)
        f = _ffn(b, f"{p}.mlp", h, _FFN, _D)
        x = b.add(f"{p}.mlp_add", Add(), x, f)
    return b.build()


def gpt2_prefill(seq_len: int = 128, blocks: int = 1) -> Graph:
    """GPT-2 small block(s), prefill of seq_len tokens with a causal mask: 7.09 M params each."""
    check_positive("gpt2_prefill", seq_len=seq_len, blocks=blocks)
    return _gpt2("gpt2_prefill", seq_len, blocks, None)


def gpt2_decode(kv_len: int = 128, blocks: int = 1) -> Graph:
    """GPT-2 small block(s), decode of one token attending to a KV cache of kv_len tokens.

    Graph inputs: ``input`` (1, 768) and per block ``block<i>.k_cache`` / ``.v_cache`` of
    shape (12, kv_len, 64); the new token's K and V are concatenated to them, so attention
    spans kv_len + 1 positions. MACs per block: 7,077,888 + 1,536 * (kv_len + 1).
    """
    check_positive("gpt2_decode", kv_len=kv_len, blocks=blocks)
    return _gpt2("gpt2_decode", 1, blocks, kv_len)
