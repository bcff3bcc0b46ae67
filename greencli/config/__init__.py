"""Where the credentials come from, and the files greencli writes. One job per module:

- loader.py: precedence (options > environment > env file), the Resolution every command
  reads, and the timeout; the names other layers import (also those defined below).
- variables.py: greencli's variable names, Origin, Setting and Problem.
- discovery.py: which env file a run reads (--env-file, else the nearest .env).
- env_file_reading.py: reading one env file, bounded (a regular file of at most 1 MiB),
  parsed by python-dotenv, each variable with its line.
- validation.py: the rules for the instance ID, the token and the URLs, and shadowing.
- env_files.py: several instances (--env-file given more than once, or a glob).
- env_file_writer.py: writing greencli's variables into a .env, every other byte kept.
- atomic_files.py: whole-or-nothing writes and a directory's lock.
- file_identity.py: acting on exactly the file that was planned (no symlink followed).
- private_dirs.py: directories only this user can enter, for the files greencli keeps.
- git.py: the questions asked of git and the two changes made with it; git_history.py:
  finding the token in a repository's history.
- listener_lock.py: one `webhooks listen` per instance on this machine.
- set_aside.py: keeping a notification `webhooks listen` cannot read.
- sent_tests.py: the test messages `setup --send-test` has sent.
- token_scan.py: finding a Green API token in files about to be published.

A new setting: its name in variables.py, its rule in validation.py, its source in loader.py.
A new file greencli writes: through atomic_files.py (and the directory's lock when it is a
read-modify-write).
"""
