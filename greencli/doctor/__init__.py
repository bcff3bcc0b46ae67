"""greencli doctor: the troubleshooting checklist.

- checks/: every check, one declaration each, in a module per theme (a new check goes there,
  with its section in troubleshooting.md)
- declaration.py: what a declaration says (Check), when checks run (Stage), what they wait for
  (Gate), and everything they may read (Evidence)
- runner.py: runs the registry: the configuration first, then the network in two phases
- answers.py: the API answers checks read, each fetched once; facts.py: what is known about
  the instance before asking it, derived once
- result.py: typed results; document.py: the --json documents; verdict.py: the exit code
- many.py: several instances at once; fixes.py: what `doctor --fix` repairs
- explanations.py and troubleshooting.md: `doctor --explain ID`
"""
