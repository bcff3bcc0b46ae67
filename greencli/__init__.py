"""greencli: set up and diagnose WhatsApp over Green API from the terminal.

The packages are layers, top to bottom; a module imports only from the layers below its own
(import-linter's contracts in pyproject.toml). Each package's docstring says what goes where:

- cli/: the command line. A new command: a module in cli/commands/ and its line in the
  command table (greencli.cli.app.Commands).
- doctor/: the troubleshooting checklist. A new check: one declaration in
  doctor/checks/<theme>.py and its section in doctor/troubleshooting.md.
- flows/: the workflows behind the commands (they never print). A new workflow: a module there.
- config/: where the credentials come from, and the files greencli writes.
- greenapi/: Green API itself. A new Green API method: a typed method in greenapi/client.py.
- errors.py (the errors and their codes) and redaction.py (secrets kept out of every text).

sandbox/ stands apart: a local Green API. A new method it answers: sandbox/methods/<family>.py;
a new behaviour of the service: the module that holds that part of its state (see its docstring).
"""

__version__ = "0.1.0"
