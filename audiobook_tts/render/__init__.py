"""Plans a render and drives its groups of segments through tts/ (see book.py for the whole job).

types.py     RenderOptions, RenderError, RenderEvent, SegmentTask: the bottom, imported by the rest
engine.py    ModelChoice and load_engine: which model, loaded in one place
plan.py      build_plan: selection, segments, keys, preview, narrators and the groups, cut once
voices.py    voice states by id, computed once per job and kept in it
groups.py    render_groups: the one unit of work, at any batch size
progress.py  Tally: stored segments into progress events
local.py     runner: every group in this process
workers.py   runner: groups claimed by --workers processes
book.py      render_book and inspect_book
"""

from audiobook_tts.render.book import Inspection, RenderResult, default_out_dir, inspect_book, render_book
from audiobook_tts.render.engine import ModelChoice, load_engine
from audiobook_tts.render.types import RenderError, RenderEvent, RenderOptions, SegmentTask

__all__ = [
    "Inspection",
    "ModelChoice",
    "RenderError",
    "RenderEvent",
    "RenderOptions",
    "RenderResult",
    "SegmentTask",
    "default_out_dir",
    "inspect_book",
    "load_engine",
    "render_book",
]
