"""One module per command, each listed in greencli.cli.app.Commands.table.

A command is thin: it parses its options, calls a flow (greencli.flows) and returns a `Result`
(greencli.cli.result) or raises a greencli error; it never calls another command. What several
commands show lives beside this package in greencli.cli (linking.py, credentials_setup.py).
"""
