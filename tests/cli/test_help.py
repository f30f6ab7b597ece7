"""Every command's --help at 80 columns: flags the click way, nothing past the edge, no word cut."""

import click
import pytest
import typer
from typer.testing import CliRunner

from audiobook_tts.cli import app

GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)


def help_text(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_help_fits_80_columns_with_every_word_whole(name):
    text = help_text(name)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "<bool>" not in text
    words = set(text.split())
    for param in GROUP.commands[name].params:
        if isinstance(param, click.Option) and param.help:
            for word in param.help.split():
                assert word in words, (name, param.name, word)  # wrapped between words, never inside one


@pytest.mark.parametrize("name", COMMANDS)
def test_flags_read_as_flags(name):
    """A boolean option reads `--fresh` (`--x / --no-x` where a profile may say otherwise), never a value."""
    lines = help_text(name).splitlines()
    for param in GROUP.commands[name].params:
        if isinstance(param, click.Option) and param.is_flag:
            shown = " / ".join(param.opts[-1:] + param.secondary_opts)
            assert any(line.strip().startswith(shown) or f", {shown}" in line for line in lines), shown


def test_a_profile_choice_can_be_turned_off_from_the_command_line():
    text = help_text("render")
    assert "--include-front-matter / --no-include-front-matter" in text
    assert "--fresh  " in text and "BOOK" in text.splitlines()[0]  # the usage names what the help calls it
