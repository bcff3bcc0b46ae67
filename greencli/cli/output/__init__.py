"""The one output layer: everything greencli writes goes through it.

- text_safety: redaction and visible escapes, so text from the network never acts on a terminal
- streams: stdout and stderr that survive a closed pipe or a full disk; rich or plain
- rendering: `Output`, the run's writer of lines, results, JSON documents, warnings and errors
- live: what is redrawn in place (spinners, steps, a QR code, the full screen)

Only this package draws with rich.
"""

from greencli.cli.output.live import Screen, Steps
from greencli.cli.output.rendering import STATUS_STYLE, Output, Part, Styled, styled
from greencli.cli.output.text_safety import json_text, safe, visible

__all__ = ["STATUS_STYLE", "Output", "Part", "Screen", "Steps", "Styled", "json_text", "safe", "styled", "visible"]
