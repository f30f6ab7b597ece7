"""The studio's web app: pages over the jobs it was given, each segment's audio, and live progress.

Pages are rendered on the server (Jinja2 templates in templates/) with a little plain JavaScript
(static/studio.js) for playing segments and following progress; there is no build step. Every route passes
the Guard first (security.py). Files come only from JobView (library.py): a segment's audio by its key, an
output by its name among the job's outputs, the cover from the job's index.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import numpy as np
import soundfile
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from audiobook_tts.jobs.errors import JobError
from audiobook_tts.jobs.job import SAMPLE_RATE
from audiobook_tts.jobs.quality import KINDS
from audiobook_tts.studio.library import JobView, find_jobs, load_job
from audiobook_tts.studio.security import TOKEN_COOKIE, Guard

HERE = Path(__file__).parent
EVENT_INTERVAL = 1.0  # seconds between progress checks of a job's index
FLAG_NAMES = {
    "frame_limit": "hit the frame limit",
    "rate": "unusual speaking rate",
    "long_silence": "long silence inside",
    "near_silence": "almost silent",
    "clipping": "clipping",
    "too_short": "too short for its text",
}
assert set(FLAG_NAMES) == set(KINDS)


def hms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress(view: JobView) -> dict:
    """The job's progress as the pages' JavaScript reads it."""
    return {**view.status.to_json(), "locked": view.locked, "directory": view.folder.name}


def create_app(roots: list[Path], guard: Guard) -> FastAPI:
    roots = [Path(root).resolve() for root in roots]
    app = FastAPI(title="audiobook-tts studio", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.guard = guard
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(hms=hms, flag_names=FLAG_NAMES, csrf=guard.csrf)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    async def checked(request: Request) -> None:
        await guard.check(request)

    def job(job_id: str) -> JobView:
        folder = find_jobs(roots).get(job_id)
        if folder is None:
            raise HTTPException(404, "no such job in the folders this studio was given")
        try:
            return load_job(job_id, folder)
        except JobError as error:
            raise HTTPException(409, str(error)) from None

    def page(request: Request, name: str, **context) -> HTMLResponse:
        response = templates.TemplateResponse(request, name, context)
        if guard.token is not None and request.query_params.get("token"):
            # First visit through the printed address: keep the token in a cookie, drop it from the URL.
            response = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
            response.set_cookie(TOKEN_COOKIE, guard.token, httponly=True, samesite="strict")
        return response

    @app.get("/", response_class=HTMLResponse, dependencies=[Depends(checked)])
    def library(request: Request):
        views = []
        for job_id, folder in find_jobs(roots).items():
            try:
                views.append(load_job(job_id, folder))
            except JobError:
                continue  # a job being created, or a damaged one: the CLI reports it when it is used
        return page(request, "library.html", jobs=views, roots=roots)

    @app.get("/job/{job_id}", response_class=HTMLResponse, dependencies=[Depends(checked)])
    def book(request: Request, job_id: str):
        return page(request, "book.html", job=job(job_id))

    @app.get("/job/{job_id}/chapter/{chapter}", response_class=HTMLResponse, dependencies=[Depends(checked)])
    def chapter(request: Request, job_id: str, chapter: int):
        view = job(job_id)
        status = next((c for c in view.status.chapters if c.index == chapter), None)
        if status is None:
            raise HTTPException(404, f"the job has no chapter {chapter}")
        return page(request, "chapter.html", job=view, chapter=status, segments=view.segments(chapter))

    @app.get("/job/{job_id}/progress", dependencies=[Depends(checked)])
    def job_progress(job_id: str):
        return progress(job(job_id))

    @app.get("/job/{job_id}/events", dependencies=[Depends(checked)])
    async def events(request: Request, job_id: str):
        view = job(job_id)

        async def stream():
            last = None
            while not await request.is_disconnected():
                try:
                    current = json.dumps(progress(load_job(view.id, view.folder)))
                except JobError:
                    current = last
                if current != last:
                    yield f"data: {current}\n\n"
                    last = current
                else:
                    yield ": still here\n\n"
                await asyncio.sleep(EVENT_INTERVAL)

        headers = {"Cache-Control": "no-cache"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    @app.get("/job/{job_id}/audio/{key}.wav", dependencies=[Depends(checked)])
    def segment_audio(job_id: str, key: str):
        view = job(job_id)
        try:
            path = view.audio_path(key)
        except JobError as error:
            raise HTTPException(404, str(error)) from None
        samples = np.clip(np.fromfile(path, dtype="<f4"), -1.0, 1.0)
        wav = io.BytesIO()
        soundfile.write(wav, samples, SAMPLE_RATE, format="WAV", subtype="PCM_16")
        return Response(wav.getvalue(), media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})

    @app.get("/job/{job_id}/cover", dependencies=[Depends(checked)])
    def cover(job_id: str):
        view = job(job_id)
        data, mime = view.source.get("cover"), view.source.get("cover_mime")
        if not isinstance(data, bytes):
            raise HTTPException(404, "this job has no cover")
        return Response(data, media_type=mime if mime in ("image/jpeg", "image/png") else "image/jpeg")

    @app.get("/job/{job_id}/files/{name}", dependencies=[Depends(checked)])
    def output(job_id: str, name: str):
        view = job(job_id)
        try:
            path = view.output(name)
        except JobError as error:
            raise HTTPException(404, str(error)) from None
        return FileResponse(path, filename=path.name)

    return app
