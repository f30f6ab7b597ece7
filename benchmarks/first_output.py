"""How long a person at a terminal waits: seconds to the first line a command prints, and to its end.

The command runs in a pseudo-terminal (as at a real terminal, so rich draws its live display) of a fixed
width; its output is read as it comes and timed from the moment the process is started.

    python benchmarks/first_output.py -- audiobook-tts render book.epub --voice fantine
    python benchmarks/first_output.py --columns 80 --show -- python -m audiobook_tts.cli render ...
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


def run(command: list[str], columns: int) -> tuple[float | None, float, int, str]:
    """(seconds to the first visible character, seconds to exit, exit code, the output without escapes)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "TERM": os.environ.get("TERM", "xterm-256color")}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    first, chunks = None, []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
        if first is None and ANSI.sub("", data.decode(errors="replace")).strip():
            first = time.perf_counter() - started
    code = process.wait()
    total = time.perf_counter() - started
    os.close(leader)
    return first, total, code, ANSI.sub("", b"".join(chunks).decode(errors="replace"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--columns", type=int, default=80)
    parser.add_argument("--show", action="store_true", help="print the command's output too")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    first, total, code, output = run(command, args.columns)
    if args.show:
        print(output)
    shown = "nothing printed" if first is None else f"{first:.2f} s"
    print(f"first output: {shown}; exit {code} after {total:.2f} s")


if __name__ == "__main__":
    main()
