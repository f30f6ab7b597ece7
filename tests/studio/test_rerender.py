"""What a studio render reports as it runs (OUT/.audiobook-tts/studio-task.json, on the job's page)."""

from __future__ import annotations

from audiobook_tts.jobs import Job
from audiobook_tts.render import RenderEvent
from audiobook_tts.studio.rerender import Reporter
from audiobook_tts.studio.tasks import read_task


def test_the_report_names_what_loads_then_counts_segments_then_assembly(tmp_path):
    Job.open(tmp_path).close()
    report = Reporter(tmp_path)
    seen = []
    for event in [
        RenderEvent("load", message="model english"),
        RenderEvent("load", message="plan of 138 chapters"),  # a long book plans for seconds
        RenderEvent("segment", done=1, total=2),
        RenderEvent("segment", done=2, total=2),
        RenderEvent("assemble", chapter=1, chapters=1, message="encode"),
    ]:
        report.last = 0.0  # (segment reports are at most every REPORT_EVERY seconds)
        report(event)
        seen.append(read_task(tmp_path)["message"])
    assert seen == [
        "loading model english",
        "loading plan of 138 chapters",
        "rendering: 1/2 segments ready",
        "rendering: 2/2 segments ready",
        "assembling the book",
    ]
