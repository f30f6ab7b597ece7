"""The FlowLM: a causal transformer over [voice | text | latents] that samples one 32-d latent frame per step.

One call consumes a block of conditioning embeddings (voice or text) or latent frames, extends the KV cache,
and samples the next latent from the last position with the flow head. Every call draws exactly one noise
vector, prompt passes included: the reference does, and skipping a draw would shift every later sample.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from audiobook_tts.tts.config import FlowLMConfig
from audiobook_tts.tts.errors import ModelError
from audiobook_tts.tts.flow_head import NUM_TIME_CONDITIONS, FlowHead, sample
from audiobook_tts.tts.transformer import KVCache, Transformer


class TextEmbedding(nn.Module):
    """Ids [B, N] -> [B, N, dim]; a low-rank table (rank < dim) is followed by a bias-free projection."""

    def __init__(self, n_bins: int, dim: int, rank: int | None):
        super().__init__()
        self.embed = nn.Embedding(n_bins + 1, rank or dim)  # the extra row is a padding id never produced
        self.proj = nn.Linear(rank, dim, bias=False) if rank is not None else None

    def forward(self, tokens: Tensor) -> Tensor:
        x = self.embed(tokens)
        return x if self.proj is None else self.proj(x)


class FlowLM(nn.Module):
    emb_std: Tensor  # buffers: latent statistics, see __init__
    emb_mean: Tensor

    def __init__(self, config: FlowLMConfig, latent_dim: int, speaker_dim: int):
        super().__init__()
        if config.dtype != "float32":
            raise ModelError(f"flow_lm.dtype {config.dtype!r} is not supported; only float32 models run here")
        if config.flow.type not in NUM_TIME_CONDITIONS:
            raise ModelError(
                f"flow_lm.flow.type {config.flow.type!r} is unknown; use one of "
                f"{', '.join(NUM_TIME_CONDITIONS)}"
            )
        tc = config.transformer
        if config.lookup_table.dim != tc.d_model:
            raise ModelError("flow_lm.lookup_table.dim must equal flow_lm.transformer.d_model")
        d = tc.d_model
        self.flow_type = config.flow.type
        self.latent_dim = latent_dim
        self.d_model = d

        self.conditioner = TextEmbedding(config.lookup_table.n_bins, d, config.lookup_table.rank)
        # Voice latents [.., speaker_dim] -> [.., d]; a plain matrix (no bias), named as in the checkpoint.
        self.speaker_proj_weight = nn.Parameter(torch.zeros(d, speaker_dim))
        self.bos_before_voice = nn.Parameter(torch.zeros(1, 1, d)) if config.insert_bos_before_voice else None
        self.bos_emb = nn.Parameter(torch.zeros(latent_dim))  # the latent fed at a NaN (BOS) position
        # Latent statistics: generated latents live in normalised space; x * std + mean goes to Mimi.
        self.register_buffer("emb_std", torch.ones(latent_dim))
        self.register_buffer("emb_mean", torch.zeros(latent_dim))

        self.input_linear = nn.Linear(latent_dim, d, bias=False)
        self.transformer = Transformer(
            d_model=d,
            num_heads=tc.num_heads,
            num_layers=tc.num_layers,
            dim_feedforward=tc.dim_feedforward or d * tc.hidden_scale,
            max_period=float(tc.max_period),
            attn_dim=tc.attn_dim,
            num_kv_heads=tc.num_kv_heads,
        )
        self.out_norm = nn.LayerNorm(d, eps=1e-5)
        cond_dim = config.z_dim or d
        self.z_proj = nn.Linear(d, config.z_dim, bias=False) if config.z_dim is not None else None
        self.out_eos = nn.Linear(cond_dim, 1)
        num_times = NUM_TIME_CONDITIONS[self.flow_type]
        self.flow_net = FlowHead(latent_dim, config.flow.dim, cond_dim, config.flow.depth, num_times)

    def empty_cache(self, batch_size: int, capacity: int) -> KVCache:
        return self.transformer.empty_cache(batch_size, capacity)

    def voice_conditioning(self, voice_latents: Tensor) -> Tensor:
        """Mimi voice latents [B, P, speaker_dim] -> the voice block [B, P (+1), d] fed as conditioning."""
        block = F.linear(voice_latents.float(), self.speaker_proj_weight)
        if self.bos_before_voice is not None:
            block = torch.cat([self.bos_before_voice.expand(block.shape[0], -1, -1), block], dim=1)
        return block

    def draw_noise(
        self,
        batch_size: int,
        temperature: float,
        noise_clamp: float | None,
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """[B, latent] float32 noise with std sqrt(temperature): the reference's exact generator call.

        `generator` None draws from torch's global generator (the reference's); a batch of independent
        segments passes each row's own generator, one [1, latent] draw per row."""
        noise = torch.empty(batch_size, self.latent_dim, dtype=torch.float32)
        std = temperature**0.5
        if noise_clamp is None:
            torch.nn.init.normal_(noise, mean=0.0, std=std, generator=generator)
        else:
            torch.nn.init.trunc_normal_(
                noise, mean=0.0, std=std, a=-noise_clamp, b=noise_clamp, generator=generator
            )
        return noise

    def prompt(
        self, conditioning: Tensor, cache: KVCache, temperature: float, noise_clamp: float | None
    ) -> None:
        """Feed a conditioning block [B, N, d] (voice or embedded text) into the cache.

        The reference samples a latent here too and throws it away; only its noise draw has an effect
        (on the generator), so we draw the noise and skip the head."""
        self.transformer(conditioning, cache)
        self.draw_noise(conditioning.shape[0], temperature, noise_clamp)

    def step(
        self,
        latents: Tensor,
        cache: KVCache,
        temperature: float,
        noise_clamp: float | None = None,
        decode_steps: int = 1,
        noise: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """Feed latent frames [B, T, latent] (NaN rows = BOS) and sample the next one.

        `noise` [B, latent] replaces the draw from the global generator (batched rows bring their own).
        Returns (latent [B, latent] in normalised space, EOS logit [B])."""
        latents = torch.where(torch.isnan(latents), self.bos_emb, latents)
        h = self.transformer(self.input_linear(latents), cache)[:, -1]
        h = self.out_norm(h)
        if self.z_proj is not None:
            h = self.z_proj(h)
        eos_logit = self.out_eos(h)[:, 0]
        if noise is None:
            noise = self.draw_noise(h.shape[0], temperature, noise_clamp)
        return sample(self.flow_net, self.flow_type, h, noise, decode_steps), eos_logit
