"""The README's tour shows real output: the command's output on the demo, verbatim."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_tour_output_is_what_the_command_prints():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"\$ shapecheck fixtures/demo/\n(.*?)\n\$ echo \$\?\n(\d+)", readme, re.S)
    assert block, "the README's tour lost its example"
    done = subprocess.run([sys.executable, "-m", "shapecheck", "fixtures/demo/"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.stdout.rstrip() == block.group(1)
    assert done.returncode == int(block.group(2))
