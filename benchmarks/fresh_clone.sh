#!/usr/bin/env bash
# A new user's first steps, as the README gives them: clone the repository into an empty temporary folder
# (nothing beside it: no ../shared, no model cache), make a fresh venv, run the README's install lines and its
# test command, word for word (read from the README itself, so the two cannot drift). Heavy: a full install
# and the quick suite, minutes to tens of minutes; run by hand, never by the test suite.
#
#   benchmarks/fresh_clone.sh [COMMIT]      # default: this checkout's HEAD (commit it first)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$repo" rev-parse "${1:-HEAD}")
readme_line() {  # the README's indented command line that starts with $1
    grep -m1 -E "^    $1" "$repo/README.md" | sed 's/^    //'
}
torch_line=$(readme_line "python -m pip install torch ")
test_line=$(readme_line "python -m pip install -e ")
[ -n "$torch_line" ] && [ -n "$test_line" ] || { echo "README lines not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-checkout "$repo" "$work/audiobook-tts"
git -C "$work/audiobook-tts" checkout --quiet --detach "$commit"
python3 -m venv "$work/venv"
# shellcheck disable=SC1091
source "$work/venv/bin/activate"
export HF_HOME="$work/hf-home"  # an empty model cache, as on a new machine
cd "$work/audiobook-tts"
echo "fresh clone of ${commit:0:12} in $work (nothing beside it: $(ls "$work" | tr '\n' ' '))"
for line in "$torch_line" "$test_line"; do
    echo "\$ $line"
    start=$SECONDS
    bash -c "$line"
    echo "-> exit 0 in $((SECONDS - start)) s"
done
