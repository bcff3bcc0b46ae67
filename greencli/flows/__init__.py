"""The workflows behind the commands, as functions of a client and callbacks: linking a phone,
applying notification settings, listening and forwarding, sending and following delivery,
reboot and logout, waiting. They never print: the commands render what they return.

A new workflow is a module here (what it needs from outside, such as a spinner or a clock,
passed in), unit-tested in tests/test_flows_<module>.py.
"""
