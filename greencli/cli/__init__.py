"""The command line: the app and its error boundary, shared context, output, and one module per command."""
