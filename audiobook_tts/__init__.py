"""audiobook-tts: whole books to finished audiobooks on a CPU, with our own Pocket TTS engine."""
