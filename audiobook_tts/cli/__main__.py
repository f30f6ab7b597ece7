"""`python -m audiobook_tts.cli`, as the `audiobook-tts` script."""

from audiobook_tts.cli import main

main()
