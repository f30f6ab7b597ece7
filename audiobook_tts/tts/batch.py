"""Batched generation for offline rendering: many texts through the FlowLM at once, decoded in blocks.

At batch 1 a FlowLM step is bound by reading the weights, so rows are nearly free until the arithmetic
catches up: `generate_latents` keeps up to `batch_size` chunks stepping together, one row each, every row at
its own position with its own text, EOS and noise generator (seeded with the request's seed, drawing exactly
what the one-at-a-time path draws from the global generator after `torch.manual_seed(seed)`). A finished
row leaves and the next queued chunk takes its place (continuous batching). A voice's prefix is stored
once and shared by the rows that speak with it (`PrefixKVCache`): less memory, and a step reads it once.

Mimi is causal, so a finished chunk's latents are decoded in blocks of frames rather than frame by frame
(`ChunkDecoder`): the same audio within float rounding, and cheaper. Even so Mimi costs more per frame
than a batched FlowLM row (README "Speed" has the measured split), so the threaded renderer shares the
decoding between both threads a block at a time.

A row's result depends on its batch companions only through float rounding (matrix kernels and attention
lengths vary with the batch): ~1e-6 in audio. For the same requests in the same order, thread count and batch
size, the output is bit for bit the same: the batch composition is a pure function of the request list.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from audiobook_tts.tts.model import FADE_IN_PER_SECOND, MIN_FRAMES_BEFORE_EOS
from audiobook_tts.tts.options import DEFAULT_BATCH_SIZE, DEFAULT_OPTIONS, GenerationOptions, default_threads
from audiobook_tts.tts.text_prep import TextRules, prepare_prompt, split_into_chunks
from audiobook_tts.tts.text_prep import frames_after_eos as after_eos
from audiobook_tts.tts.transformer import KVCache, PrefixKVCache

DECODE_BLOCK = 10  # latent frames per Mimi call (benchmarks/mimi.py: 5 and 20 are slower)


@dataclass(frozen=True)
class Chunk:
    tokens: tuple[int, ...]
    max_frames: int
    frames_after_eos: int


@dataclass
class SpeechRequest:
    """One text to speak from its own seed: its chunks run one after another on one noise stream."""

    voice: KVCache
    chunks: list[Chunk]
    seed: int
    options: GenerationOptions  # resolved against the model's config (make_request does it)
    tag: Any = None  # the caller's handle, handed back with the audio
    rng_state: Tensor | None = None  # start the noise stream from this generator state instead of `seed`
    hit_frame_limit: bool = False  # set by the generator: a chunk stopped at its frame limit, not at its EOS


def make_request(
    model, voice: KVCache, text: str, seed: int, options: GenerationOptions, *, tag: Any = None
) -> SpeechRequest:
    """A request for `text`, chunked and prepared exactly as `PocketTTS.stream` does (same defaults)."""
    model.check_voice(voice)
    config = model.config
    options = options.resolved(config)
    rules = TextRules.from_config(config)
    chunks = []
    for text_chunk in split_into_chunks(text, model.tokenizer, rules, options.max_tokens):
        prepared, eos_guess = prepare_prompt(text_chunk, rules)
        tokens = tuple(model.tokenizer.encode(prepared))
        chunks.append(
            Chunk(
                tokens,
                model.max_frames(len(tokens)),
                after_eos(eos_guess, options.frames_after_eos, config.model_recommended_frames_after_eos),
            )
        )
    return SpeechRequest(voice, chunks, seed, options, tag)


@dataclass
class _Row:
    """One chunk in the batch: where it is, its noise stream and the latent frames it has made."""

    request_index: int
    chunk_index: int
    request: SpeechRequest
    generator: torch.Generator
    step: int = 0
    eos_step: int | None = None
    latents: list[Tensor] = field(default_factory=list)

    @property
    def chunk(self) -> Chunk:
        return self.request.chunks[self.chunk_index]

    def draw_noise(self, flow_lm) -> Tensor:
        options = self.request.options
        return flow_lm.draw_noise(1, options.temperature, options.noise_clamp, self.generator)

    def advance(self, latent: Tensor, eos_logit: float) -> bool:
        """Take this step's latent; True once the chunk has ended (then this step's latent is dropped)."""
        chunk, threshold = self.chunk, self.request.options.eos_threshold
        assert threshold is not None  # the options are resolved (make_request)
        if self.eos_step is None and self.step >= MIN_FRAMES_BEFORE_EOS and eos_logit > threshold:
            self.eos_step = self.step
        if self.eos_step is not None and self.step >= self.eos_step + chunk.frames_after_eos:
            return True  # this step's latent is dropped, its noise was drawn
        self.latents.append(latent)
        self.step += 1
        if self.step < chunk.max_frames:
            return False
        self.request.hit_frame_limit = True
        return True

    def result(self, latent_dim: int) -> tuple[int, int, Tensor]:
        latents = torch.stack(self.latents) if self.latents else torch.zeros(0, latent_dim)
        return self.request_index, self.chunk_index, latents


def _suffix_capacity(chunk: Chunk) -> int:
    """Positions a chunk needs after its voice prefix: its text, then its frames."""
    return len(chunk.tokens) + chunk.max_frames


class _Batch:
    """The rows stepping together in one `PrefixKVCache`, and the chunks queued for a row.

    Rows are filled longest request first (by its chunks' frame limits), so the batch drains on short
    chunks rather than long ones; a request's next chunk goes first in the queue when its previous one ends
    (it continues that request's noise stream). Every row is allocated up front: rows are only ever refilled
    in place or dropped once the queue is empty, so the batch never grows."""

    def __init__(
        self,
        model,
        requests: list[SpeechRequest],
        batch_size: int,
        on_start: Callable[[int, int, list[Tensor]], None] | None,
    ):
        self.flow_lm = model.flow_lm
        self.requests = requests
        self.on_start = on_start
        longest_first = sorted(
            range(len(requests)), key=lambda i: -sum(c.max_frames for c in requests[i].chunks)
        )
        # (request, chunk, its request's generator once a chunk of it has run)
        self.queue: deque[tuple[int, int, torch.Generator | None]] = deque(
            (i, 0, None) for i in longest_first
        )
        self.rows: list[_Row] = []
        prefixes = list({id(r.voice): r.voice for r in requests}.values())  # each voice state once
        self.voices = {id(voice): index for index, voice in enumerate(prefixes)}  # -> its prefix in the cache
        # One capacity for the whole batch: the longest [text | frames] any chunk can need.
        self.capacity = max((_suffix_capacity(c) for r in requests for c in r.chunks), default=0)
        self.cache: PrefixKVCache | None = None
        if self.queue:
            rows = min(batch_size, len(self.queue))
            self.cache = PrefixKVCache.empty(prefixes, rows, self.capacity, self.flow_lm.transformer.kv_dtype)
            while self.queue and len(self.rows) < self.cache.voice.shape[0]:
                self.admit(len(self.rows))

    def admit(self, index: int) -> None:
        """Run the next queued chunk's text prompt and place it in row `index` of the batch cache."""
        assert self.cache is not None
        request_index, chunk_index, generator = self.queue.popleft()
        request = self.requests[request_index]
        chunk = request.chunks[chunk_index]
        if generator is None:
            generator = torch.Generator().manual_seed(request.seed)
            if request.rng_state is not None:
                generator.set_state(request.rng_state)
        sub = request.voice.copy(capacity=int(request.voice.offset[0]) + len(chunk.tokens))
        prompt = self.flow_lm.conditioner(torch.tensor([chunk.tokens], dtype=torch.long))
        self.flow_lm.transformer(prompt, sub)
        row = _Row(request_index, chunk_index, request, generator)
        row.draw_noise(self.flow_lm)  # the prompt pass's draw
        self.cache.place(index, self.voices[id(request.voice)], sub)
        if self.on_start is not None:
            self.on_start(request_index, chunk_index, row.latents)
        if index == len(self.rows):
            self.rows.append(row)
        else:
            self.rows[index] = row

    def step(self, decode_steps: int, after_step: Callable[[], None] | None) -> list[int]:
        """One FlowLM step for every row (then `after_step`); the indices of the rows whose chunk ended."""
        assert self.cache is not None
        latent_dim = self.flow_lm.latent_dim
        inputs = torch.stack(
            [row.latents[-1] if row.latents else torch.full((latent_dim,), float("nan")) for row in self.rows]
        )[:, None]
        noise = torch.cat([row.draw_noise(self.flow_lm) for row in self.rows])
        latents, eos_logits = self.flow_lm.step(inputs, self.cache, 1.0, None, decode_steps, noise=noise)
        if after_step is not None:
            after_step()
        eos = eos_logits.tolist()
        return [index for index, row in enumerate(self.rows) if row.advance(latents[index], eos[index])]

    def requeue_next_chunk(self, index: int) -> None:
        """Queue the next chunk of row `index`'s request first in line, on the same noise stream."""
        row = self.rows[index]
        if row.chunk_index + 1 < len(row.request.chunks):
            self.queue.appendleft((row.request_index, row.chunk_index + 1, row.generator))

    def evict(self, finished: list[int]) -> None:
        """Refill the finished rows from the queue; once it is empty, drop them from the batch."""
        vacant = []
        for index in finished:
            if self.queue:
                self.admit(index)
            else:
                vacant.append(index)
        if vacant:
            assert self.cache is not None
            keep = torch.tensor([i for i in range(len(self.rows)) if i not in vacant], dtype=torch.long)
            self.rows = [self.rows[i] for i in keep.tolist()]
            if self.rows:
                self.cache.keep(keep)
            else:
                self.cache = None


@torch.no_grad()
def generate_latents(
    model,
    requests: list[SpeechRequest],
    *,
    batch_size: int = 16,
    decode_steps: int = 1,
    after_step: Callable[[], None] | None = None,
    on_start: Callable[[int, int, list[Tensor]], None] | None = None,
) -> Iterator[tuple[int, int, Tensor]]:
    """(request index, chunk index, latents [frames, latent] in normalised space) per finished chunk.

    `after_step` is called after every batch step (the threaded renderer decodes there when Mimi falls
    behind); `on_start(request, chunk, frames)` when a chunk enters the batch, with the list its latent
    frames [latent] are appended to as they are made (a frame, once appended, is final: Mimi may decode it
    before the chunk ends). See `_Batch` for the order rows are filled in."""
    batch = _Batch(model, requests, batch_size, on_start)
    while batch.rows:
        finished = batch.step(decode_steps, after_step)
        for index in finished:
            yield batch.rows[index].result(model.flow_lm.latent_dim)
            batch.requeue_next_chunk(index)
        batch.evict(finished)


class ChunkDecoder:
    """One chunk's latent frames (normalised, [latent] each) -> audio, `block` frames per Mimi call, from a
    fresh decoder state. Blocks run one at a time (`decode_block`), so two threads can share the decoding
    work, and `frames` may still be growing (the chunk being generated): a block runs once it is complete,
    the last, shorter one once `finished` is set. Blocks always start at multiples of `block`, so the audio
    is the same however the decoding was interleaved with generation. The blocks of one chunk must run in
    order, by one thread at a time."""

    def __init__(self, model, frames: list[Tensor], block: int = DECODE_BLOCK, finished: bool = False):
        self.model, self.frames, self.block = model, frames, block
        self.finished = finished
        self.state = None  # Mimi's streaming state, made at the first block (chunks may wait a while)
        self.parts: list[Tensor] = []
        self.start = 0

    @property
    def frames_ready(self) -> int:
        """Frames a block can be decoded from now (0 if the next block is not complete yet)."""
        left = len(self.frames) - self.start
        return left if self.finished or left >= self.block else 0

    @property
    def done(self) -> bool:
        return self.finished and self.start == len(self.frames)

    @torch.no_grad()
    def decode_block(self) -> None:
        """Decode the next block (call only while frames_ready > 0)."""
        if self.state is None:
            self.state = self.model.mimi.new_decoder_state(1)
        block = torch.stack(self.frames[self.start : self.start + self.block])
        codes = self.model.denormalise(block)[None]
        self.parts.append(self.model.mimi.decode(codes, self.state)[0, 0])
        self.start += block.shape[0]

    def audio(self) -> Tensor:
        """The chunk's audio [frames * 1920], its first 1/200 s faded in (as the streaming path does)."""
        if not self.parts:
            return torch.zeros(0)
        audio = torch.cat(self.parts)
        fade = torch.linspace(0, 1, self.model.sample_rate // FADE_IN_PER_SECOND)
        audio[: fade.numel()] *= fade
        return audio


def decode_latents(model, latents: Tensor, *, block: int = DECODE_BLOCK) -> Tensor:
    """One chunk's latents [frames, latent] (normalised) -> audio [frames * 1920] (see ChunkDecoder)."""
    decoder = ChunkDecoder(model, list(latents), block, finished=True)
    while not decoder.done:
        decoder.decode_block()
    return decoder.audio()


def render_requests(
    model,
    groups: Iterable[list[SpeechRequest]],
    *,
    batch_size: int = 16,
    threads: int = 2,
    decode_steps: int = 1,
    decode_block: int = DECODE_BLOCK,
) -> Iterator[tuple[SpeechRequest, Tensor]]:
    """(request, audio [samples]) for every request, as each one's last chunk is decoded.

    Each group is batched on its own from an empty batch, so a request's audio depends only on its group
    (see the module docstring). With `threads` >= 2 the FlowLM runs in a second thread while this one
    decodes chunks a block at a time as their frames appear, and the FlowLM thread decodes too, in bursts,
    when Mimi falls behind (it costs more per frame than a batched FlowLM row); each thread uses
    threads // 2 torch threads (the FlowLM thread twice that for a group of one request, see
    _ThreadedRender.produce). With 1, or when every group is one request (a book's first segment, planned
    alone), the two alternate in this thread on `threads` torch threads: one row's steps are many small
    parallel regions, and OpenMP runs them slower in a second Python thread (here the same steps took 5.4-5.6
    s there against 4.3 in the first; 14.4 s of audio in 4.7-5.0 s instead of 5.9-6.2 beside the decoding).
    """
    groups = list(groups)
    if threads >= 2 and any(len(group) > 1 for group in groups):
        yield from _ThreadedRender(model, groups, batch_size, decode_steps, decode_block).run(threads // 2)
        return
    torch.set_num_threads(threads)
    for group in groups:
        assembler = _Assembler(group)
        for request_index, chunk_index, latents in generate_latents(
            model, group, batch_size=batch_size, decode_steps=decode_steps
        ):
            audio = decode_latents(model, latents, block=decode_block)
            yield from assembler.add(request_index, chunk_index, audio)


class _Assembler:
    """Collects a group's chunk audio; hands out a request's audio once all its chunks are in."""

    def __init__(self, group: list[SpeechRequest]):
        self.group = group
        self.parts: dict[int, dict[int, Tensor]] = {}

    def add(self, request_index: int, chunk_index: int, audio: Tensor) -> list[tuple[SpeechRequest, Tensor]]:
        parts = self.parts.setdefault(request_index, {})
        parts[chunk_index] = audio
        request = self.group[request_index]
        if len(parts) < len(request.chunks):
            return []
        del self.parts[request_index]
        return [(request, torch.cat([parts[i] for i in range(len(request.chunks))]))]


_DecodeItem = tuple[tuple[int, int, int], ChunkDecoder]  # ((group, request, chunk), its decoder)


class _DecodeWork:
    """Chunks in the batch or waiting for Mimi, shared by the two threads. A thread takes the first chunk
    with a block ready, decodes that block and gives the chunk back, so chunks are decoded while they are
    still being generated and mostly finish in the order they started. A chunk is held by one thread at a
    time, so its blocks run in order."""

    def __init__(self) -> None:
        self.chunks: list[_DecodeItem] = []
        self.changed = threading.Condition()
        self.closed = False  # set once the FlowLM thread has finished (or failed): no more frames come

    def frames_ready(self) -> int:
        with self.changed:
            return sum(decoder.frames_ready for _, decoder in self.chunks)

    def add(self, key: tuple[int, int, int], decoder: ChunkDecoder) -> None:
        with self.changed:
            self.chunks.append((key, decoder))

    def frames_added(self) -> None:
        """Wake a waiting thread: a step appended frames, or a chunk ended."""
        with self.changed:
            self.changed.notify_all()

    def take(self, wait: bool) -> _DecodeItem | None:
        """The first chunk with a block ready, or None (none and not `wait`, or closed and none left)."""
        with self.changed:
            while True:
                for index, (_, decoder) in enumerate(self.chunks):
                    if decoder.frames_ready or decoder.done:
                        return self.chunks.pop(index)
                if not wait or (self.closed and not self.chunks):
                    return None
                self.changed.wait()

    def give_back(self, item: _DecodeItem) -> None:
        """Return a taken chunk, first in line (so one chunk tends to be finished before the next)."""
        with self.changed:
            self.chunks.insert(0, item)
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()


# Once this many frames wait for Mimi after a step, the FlowLM thread decodes blocks until no more than
# STEAL_DOWN_TO wait. Decoding in long bursts rather than a block now and then keeps the two threads' memory
# from fragmenting (measured: 1.63 GB peak against 2.05 GB for 128 segments, same speed); the backlog stays
# bounded (a killed render loses at most ~2000 generated frames, ~10 s of FlowLM work).
STEAL_ABOVE = 2000
STEAL_DOWN_TO = 500


class _Stopped(Exception):
    """The consumer went away: unwinds the FlowLM thread."""


class _ThreadedRender:
    """Two workers: the FlowLM thread (steps, and decodes in bursts while Mimi is behind, see STEAL_ABOVE)
    and the consumer's (decodes, a block at a time, from the first blocks of the first chunks on). A chunk's
    audio is a pure function of its latents and the block size, so which thread decodes which block, and
    when, changes nothing."""

    def __init__(
        self, model, groups: list[list[SpeechRequest]], batch_size: int, decode_steps: int, block: int
    ):
        self.model, self.groups = model, groups
        self.batch_size, self.decode_steps, self.block = batch_size, decode_steps, block
        self.work = _DecodeWork()
        # (group, request, chunk, audio) of finished chunks, from both threads
        self.decoded: queue.Queue[tuple[int, int, int, Tensor]] = queue.Queue()
        self.decoders: dict[tuple[int, int, int], ChunkDecoder] = {}  # chunks in the batch (FlowLM thread)
        self.failure: BaseException | None = None  # the FlowLM thread's, raised by the consumer
        self.stop = threading.Event()

    def decode_one(self, item: _DecodeItem) -> None:
        """Decode the chunk's next block (or finish it); give it back unless it is done."""
        key, decoder = item
        if not decoder.done:
            decoder.decode_block()
        if decoder.done:
            self.decoded.put((*key, decoder.audio()))
        else:
            self.work.give_back(item)

    def after_step(self) -> None:
        if self.stop.is_set():
            raise _Stopped
        work = self.work
        work.frames_added()
        if work.frames_ready() >= STEAL_ABOVE:
            while work.frames_ready() > STEAL_DOWN_TO and (item := work.take(wait=False)) is not None:
                self.decode_one(item)

    def start(self, group_index: int, request_index: int, chunk_index: int, frames: list[Tensor]) -> None:
        """A chunk entered the batch: its frames are decoded as they come."""
        key = (group_index, request_index, chunk_index)
        self.decoders[key] = ChunkDecoder(self.model, frames, self.block)
        self.work.add(key, self.decoders[key])

    def produce(self, per_thread: int) -> None:
        """The FlowLM thread. A group of one request among larger ones (the plan puts a book's first segment
        alone; rendered by itself, it never comes here, see render_requests) steps one row, bound by reading
        the weights, and leaves the decoding thread mostly idle: it gets both threads' torch threads (33 -> 20
        ms per frame here). A pure function of the group, so the audio stays the same from run to run."""
        try:
            for group_index, group in enumerate(self.groups):
                torch.set_num_threads(per_thread * (2 if len(group) == 1 else 1))  # (per calling thread)
                for request_index, chunk_index, _ in generate_latents(
                    self.model,
                    group,
                    batch_size=self.batch_size,
                    decode_steps=self.decode_steps,
                    after_step=self.after_step,
                    on_start=functools.partial(self.start, group_index),
                ):
                    self.decoders.pop((group_index, request_index, chunk_index)).finished = True
                    self.work.frames_added()
            while not self.stop.is_set() and (item := self.work.take(wait=False)) is not None:  # help finish
                self.decode_one(item)
        except _Stopped:
            pass
        except BaseException as error:  # handed to the consumer, which raises it
            self.failure = error
        finally:
            self.work.close()

    def run(self, per_thread: int) -> Iterator[tuple[SpeechRequest, Tensor]]:
        """The consumer: starts the FlowLM thread, decodes, and yields each request's audio once complete."""
        producer = threading.Thread(target=self.produce, args=(per_thread,), name="flow-lm", daemon=True)
        torch.set_num_threads(per_thread)
        producer.start()
        assemblers = [_Assembler(group) for group in self.groups]
        try:
            while self.failure is None:
                item = self.work.take(wait=True)
                if item is not None:
                    self.decode_one(item)
                while not self.decoded.empty():
                    group_index, request_index, chunk_index, audio = self.decoded.get_nowait()
                    yield from assemblers[group_index].add(request_index, chunk_index, audio)
                if item is None:  # closed (every put is made before closing) and nothing left: all done
                    break
            if self.failure is not None:
                raise self.failure
        finally:
            self.stop.set()
            producer.join()


def speak(
    model,
    voice: KVCache,
    text: str,
    options: GenerationOptions = DEFAULT_OPTIONS,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    threads: int | None = None,
) -> Tensor:
    """A long text's chunks batched as independent requests: audio [samples], chunks in order.

    The first chunk continues torch's global generator (as `generate` does, so a one-chunk text is exactly
    the one-at-a-time result); each later chunk gets its own seed drawn from that generator, instead of
    continuing the previous chunk's noise. A one-chunk text takes the one-at-a-time path itself."""
    rules = TextRules.from_config(model.config)
    chunks = split_into_chunks(text, model.tokenizer, rules, options.max_tokens)
    if len(chunks) <= 1 or batch_size <= 1:
        return model.generate(voice, text, options)
    first_state = torch.get_rng_state()
    seeds = torch.randint(0, 2**62, (len(chunks),)).tolist()
    requests = []
    for index, chunk in enumerate(chunks):
        request = make_request(model, voice, chunk, seeds[index], options, tag=index)
        request.rng_state = first_state if index == 0 else None
        requests.append(request)
    audio = dict(
        (r.tag, a)
        for r, a in render_requests(
            model,
            [requests],
            batch_size=batch_size,
            threads=threads or default_threads(),
            decode_steps=options.decode_steps,
        )
    )
    return torch.cat([audio[i] for i in range(len(chunks))])
