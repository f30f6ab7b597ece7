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
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile
from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from audiobook_tts.errors import UserError
from audiobook_tts.ingest import Book
from audiobook_tts.jobs import Job
from audiobook_tts.jobs.errors import JobError
from audiobook_tts.jobs.job import JOB_DIRNAME, SAMPLE_RATE
from audiobook_tts.jobs.source import encode_options
from audiobook_tts.render import RenderOptions
from audiobook_tts.studio import actions, newbook
from audiobook_tts.studio.audition import Auditions
from audiobook_tts.studio.library import JobView, decibels, find_jobs, load_job
from audiobook_tts.studio.library import job_id as folder_id
from audiobook_tts.studio.security import TOKEN_COOKIE, Guard
from audiobook_tts.studio.tasks import Renders, read_task
from audiobook_tts.tts.catalogue import VOICES
from audiobook_tts.tts.voices import AUDIO_SUFFIXES

HERE = Path(__file__).parent
RECORDING = "recording:"  # a voice choice naming an uploaded recording, not a catalogue voice
EVENT_INTERVAL = 1.0  # seconds between progress checks of a job's index
FLAG_NAMES = {
    "frame_limit": "hit the frame limit",
    "rate": "unusual speaking rate",
    "long_silence": "long silence inside",
    "near_silence": "almost silent",
    "clipping": "clipping",
    "too_short": "too short for its text",
}


def flag_name(kind: str) -> str:
    """A flag's name on the pages; a kind without one of its own (a new check) shows as its kind, readable."""
    return FLAG_NAMES.get(kind, kind.replace("_", " "))


def hms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress(view: JobView) -> dict:
    """The job's progress as the pages' JavaScript reads it."""
    task = read_task(view.folder)
    return {**view.status.to_json(), "locked": view.locked, "directory": view.folder.name, "task": task}


def wav_response(samples: np.ndarray, headers: dict[str, str] | None = None) -> Response:
    """Float samples at 24 kHz as a 16-bit PCM WAV, which every browser plays."""
    wav = io.BytesIO()
    soundfile.write(wav, np.clip(samples, -1.0, 1.0), SAMPLE_RATE, format="WAV", subtype="PCM_16")
    return Response(wav.getvalue(), media_type="audio/wav", headers=headers)


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (the guard has read and size-checked the body already)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def create_app(roots: list[Path], guard: Guard, new_books: RenderOptions | None = None) -> FastAPI:
    """The app over the jobs in `roots`; a book uploaded on the new-book page is rendered into the first
    root with `new_books` (model, voice, speed: what `serve` was given) plus the page's choices."""
    roots = [Path(root).resolve() for root in roots]
    new_books = new_books or RenderOptions()
    app = FastAPI(title="audiobook-tts studio", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.guard = guard
    renders = app.state.renders = Renders()
    auditions = Auditions(new_books)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        hms=hms,
        decibels=decibels,
        flag_name=flag_name,
        csrf=guard.csrf,
        setting_fields=[
            (name, 1 if kind is int else "any", label) for name, (kind, label) in actions.SETTINGS.items()
        ],
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    async def checked(request: Request) -> None:
        await guard.check(request)

    def job(job_id: str) -> JobView:
        folder = find_jobs(roots).get(job_id)
        if folder is None:
            raise HTTPException(404, "no such job in the folders this studio was given")
        try:
            view = load_job(job_id, folder)
        except JobError as error:
            raise HTTPException(409, str(error)) from None
        renders.reap()
        view.locked = view.locked or renders.running(folder)
        return view

    def act(view: JobView, action, *args):
        """Apply a fix under the job's lock and start the render that applies it; 409 if a render runs."""
        if view.locked:
            raise HTTPException(409, "a render is using this job; it is read-only until the render ends")
        try:
            result = action(view.folder, *args)
        except actions.ActionError as error:
            raise HTTPException(error.status, str(error)) from None
        except JobError as error:  # mostly: a CLI render took the lock in the meantime
            raise HTTPException(409, str(error)) from None
        renders.start(view.folder)
        return result

    def page(request: Request, name: str, **context) -> Response:
        response: Response = templates.TemplateResponse(request, name, context)
        if guard.token is not None and request.query_params.get("token"):
            # First visit through the printed address: keep the token in a cookie, drop it from the URL.
            response = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
            response.set_cookie(TOKEN_COOKIE, guard.token, httponly=True, samesite="strict")
        return response

    @app.get("/", response_class=HTMLResponse, dependencies=[Depends(checked)])
    def library(request: Request):
        views = []
        for ident, folder in find_jobs(roots).items():
            try:
                views.append(load_job(ident, folder))
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
        return page(
            request,
            "chapter.html",
            job=view,
            chapter=status,
            segments=view.segments(chapter),
            chapter_fix=view.fixes.chapters.get(chapter),
            voice_choices=view.voice_choices(),
            profile_problem=view.profile_problem(),
        )

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
        return wav_response(np.fromfile(path, dtype="<f4"), {"Cache-Control": "max-age=3600"})

    @app.get("/job/{job_id}/cover", dependencies=[Depends(checked)])
    def cover(job_id: str):
        view = job(job_id)
        data, mime = view.source.get("cover"), view.source.get("cover_mime")
        if not isinstance(data, bytes):
            raise HTTPException(404, "this job has no cover")
        return Response(data, media_type=mime if mime in ("image/jpeg", "image/png") else "image/jpeg")

    @app.get("/job/{job_id}/files/{name:path}", dependencies=[Depends(checked)])
    def output(job_id: str, name: str):
        view = job(job_id)
        try:
            path = view.output(name)
        except JobError as error:
            raise HTTPException(404, str(error)) from None
        return FileResponse(path, filename=path.name)

    def chapter_url(view: JobView, chapter: int, position: int | None = None) -> str:
        anchor = f"#segment-{position + 1}" if position is not None else ""
        return f"/job/{view.id}/chapter/{chapter}{anchor}"

    @app.post("/job/{job_id}/segment/{chapter}/{position}/retake", dependencies=[Depends(checked)])
    async def retake(request: Request, job_id: str, chapter: int, position: int):
        fields, view = await form_fields(request), job(job_id)
        act(view, actions.retake, chapter, position, fields.get("key", ""))
        return RedirectResponse(chapter_url(view, chapter, position), status_code=303)

    @app.post("/job/{job_id}/segment/{chapter}/{position}/text", dependencies=[Depends(checked)])
    async def edit_text(request: Request, job_id: str, chapter: int, position: int):
        fields, view = await form_fields(request), job(job_id)
        act(view, actions.edit_text, chapter, position, fields.get("key", ""), fields.get("text", ""))
        return RedirectResponse(chapter_url(view, chapter, position), status_code=303)

    def voice_fix(view: JobView, fields: dict[str, str]) -> tuple[str | None, dict]:
        """The voice (one of the job's choices, or None) and generation settings a posted form asks for."""
        voice = fields.get("voice") or None
        if voice is not None and voice not in view.voice_choices():
            raise HTTPException(400, "not one of this job's voices: choose one from the list")
        try:
            return voice, actions.parse_settings(fields)
        except actions.ActionError as error:
            raise HTTPException(error.status, str(error)) from None

    @app.post("/job/{job_id}/segment/{chapter}/{position}/voice", dependencies=[Depends(checked)])
    async def segment_voice(request: Request, job_id: str, chapter: int, position: int):
        fields, view = await form_fields(request), job(job_id)
        voice, settings = voice_fix(view, fields)
        act(view, actions.set_segment_voice, chapter, position, fields.get("key", ""), voice, settings)
        return RedirectResponse(chapter_url(view, chapter, position), status_code=303)

    @app.post("/job/{job_id}/chapter/{chapter}/voice", dependencies=[Depends(checked)])
    async def chapter_voice(request: Request, job_id: str, chapter: int):
        fields, view = await form_fields(request), job(job_id)
        voice, settings = voice_fix(view, fields)
        act(view, actions.set_chapter_voice, chapter, voice, settings)
        return RedirectResponse(chapter_url(view, chapter), status_code=303)

    @app.post("/job/{job_id}/pronunciation/preview", dependencies=[Depends(checked)])
    async def preview_pronunciation(request: Request, job_id: str):
        fields, view = await form_fields(request), job(job_id)
        if view.locked:
            raise HTTPException(409, "a render is using this job; it is read-only until the render ends")
        try:
            word, respelling = actions.check_pronunciation(
                fields.get("word", ""), fields.get("respelling", "")
            )
            touched = actions.touched_by(view.folder, word, respelling)
        except actions.ActionError as error:
            raise HTTPException(error.status, str(error)) from None
        except JobError as error:
            raise HTTPException(409, str(error)) from None
        return page(
            request, "pronunciation.html", job=view, word=word, respelling=respelling, touched=touched
        )

    @app.post("/job/{job_id}/pronunciation", dependencies=[Depends(checked)])
    async def add_pronunciation(request: Request, job_id: str):
        fields, view = await form_fields(request), job(job_id)
        try:
            word, respelling = actions.check_pronunciation(
                fields.get("word", ""), fields.get("respelling", "")
            )
        except actions.ActionError as error:
            raise HTTPException(error.status, str(error)) from None
        act(view, actions.add_pronunciation, word, respelling)
        return RedirectResponse(f"/job/{view.id}", status_code=303)

    @app.post("/job/{job_id}/assemble", dependencies=[Depends(checked)])
    async def reassemble(job_id: str):
        view = job(job_id)
        act(view, lambda folder: None)  # a render with every segment stored only assembles
        return RedirectResponse(f"/job/{view.id}", status_code=303)

    @app.get("/new", response_class=HTMLResponse, dependencies=[Depends(checked)])
    def new_book(request: Request):
        return page(
            request, "new.html", max_mb=guard.max_upload >> 20, suffixes=sorted(newbook.BOOK_SUFFIXES)
        )

    @app.post("/new", response_class=HTMLResponse, dependencies=[Depends(checked)])
    async def upload_book(request: Request):
        form = await request.form()
        upload = form.get("book")
        if upload is None or isinstance(upload, str):
            raise HTTPException(400, "choose a book file to upload")
        try:
            path = newbook.save_upload(roots[0], upload.filename or "book", await upload.read())
            book = newbook.read_upload(path)
        except newbook.UploadError as error:
            raise HTTPException(400, str(error)) from None
        return inspect_page(request, path, book)

    def inspect_page(
        request: Request,
        upload: Path,
        book: Book,
        recording: Path | None = None,
        notes: list[str] | None = None,
        error: str | None = None,
    ) -> Response:
        response = page(
            request,
            "inspect.html",
            upload=upload.name,
            book=book,
            voices=sorted(VOICES),
            default=new_books.voice,
            recording=recording.name if recording else None,
            recording_choice=RECORDING + recording.name if recording else None,
            notes=notes or [],
            error=error,
            audio_suffixes=AUDIO_SUFFIXES,
            max_recording_mb=min(newbook.MAX_RECORDING_MB, guard.max_upload >> 20),
        )
        if error is not None:
            response.status_code = 400
        return response

    def chosen_voice(choice: str) -> str | Path | None:
        """The new-book page's voice: None (the default), a catalogue name, or an uploaded recording."""
        if not choice:
            return None
        if choice.startswith(RECORDING):
            try:
                return newbook.recording(roots[0], choice.removeprefix(RECORDING))
            except newbook.UploadError as error:
                raise HTTPException(404, str(error)) from None
        if choice not in VOICES:
            raise HTTPException(400, f"no voice named {choice!r} in the catalogue")
        return choice

    @app.post("/new/recording", response_class=HTMLResponse, dependencies=[Depends(checked)])
    async def upload_recording(request: Request):
        form = await request.form()
        upload, recording = form.get("upload"), form.get("recording")
        try:
            path = newbook.uploaded(roots[0], upload if isinstance(upload, str) else "")
            book = newbook.read_upload(path)
        except newbook.UploadError as error:
            raise HTTPException(404, str(error)) from None
        if recording is None or isinstance(recording, str) or not recording.filename:
            return inspect_page(request, path, book, error="choose a recording to upload")
        try:
            saved, notes = newbook.save_recording(roots[0], recording.filename, await recording.read())
        except newbook.UploadError as error:
            return inspect_page(request, path, book, error=str(error))
        return inspect_page(request, path, book, saved, notes)

    @app.post("/new/audition", dependencies=[Depends(checked)])
    def audition(request: Request, voice: str = Form("")):
        chosen = chosen_voice(voice)
        try:
            samples = auditions.render(None if chosen is None else str(chosen))
        except UserError as error:
            raise HTTPException(409, f"cannot audition: {error}") from None
        return wav_response(samples)

    @app.post("/new/start", dependencies=[Depends(checked)])
    async def start_book(request: Request):
        fields = await form_fields(request)
        try:
            path = newbook.uploaded(roots[0], fields.get("upload", ""))
        except newbook.UploadError as error:
            raise HTTPException(404, str(error)) from None
        voice = chosen_voice(fields.get("voice", ""))
        out_dir = roots[0] / newbook.safe_name(path.stem)
        if (out_dir / JOB_DIRNAME).exists():
            raise HTTPException(409, f"{out_dir.name} already holds a job: open it from the library")
        out_dir.mkdir(exist_ok=True)
        if isinstance(voice, Path):
            voice = str(newbook.keep_recording(voice, out_dir))
        options = replace(
            new_books,
            out_dir=out_dir,
            voice=voice or new_books.voice,
            chapters=fields.get("chapters", "").strip() or None,
            fresh=False,
        )
        Job.open(out_dir).close()  # the job exists from now on: the library lists it while it renders
        renders.start(out_dir.resolve(), path, encode_options(options))
        return RedirectResponse(f"/job/{folder_id(out_dir)}", status_code=303)

    return app
