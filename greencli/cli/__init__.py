"""The command line: the app and its error boundary, the run's context, output, and one module
per command.

- app.py: the command table (`Commands.table`) and the error boundary; warm_start.py the
  entry point; lazy_group.py builds a command only when it is used
- commands/: one module per command. A new command: a module there (options parsed, a flow
  called, a `Result` returned, result.py) and its line in `Commands.table`
- context.py: the run's context (`RunContext`, called `run` everywhere): settings, output,
  credentials, the API client; run_settings.py and global_options.py read the global options;
  instances.py several instances; run_sandbox.py --sandbox; debug_log.py --debug; prompts.py
  questions at the terminal
- what several commands show: linking.py (QR code, pairing code; with qr_drawing.py,
  qr_screen.py, big_text.py), credentials_setup.py (init, and setup's first step)
- output/: everything greencli writes; reports/: doctor's JUnit and GitHub reports;
  workflow_commands.py keeps text from outside from acting on a CI runner
"""
