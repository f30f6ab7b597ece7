"""The studio: a local web app to listen to a render, find what went wrong and fix one sentence.

    audiobook-tts serve [DIR...]        # http://127.0.0.1:8000

It sits on top of the house (it imports render/ and jobs/, nothing imports it but the CLI): library.py reads
the jobs, app.py serves the pages, security.py decides who may talk to it.
"""
