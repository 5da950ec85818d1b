#!/usr/bin/python3
"""pyevents.py - the docker-py client of `make bench`: Debian's python3-docker
reading the events stream the way its users do, APIClient.events(decode=True).

    pyevents.py unix:///path/to/sock [UNTIL] [--print]

Without --print it only counts (the figure is the library's own cost); with
--print it writes each decoded event back as one JSON line, so that a run
can be checked and timed like the other clients. The count goes to stderr.
"""
import json
import sys

import docker

args = [a for a in sys.argv[1:] if a != "--print"]
show = "--print" in sys.argv
client = docker.APIClient(base_url=args[0])
kw = {"since": 0, "decode": True}
if len(args) > 1:
    kw["until"] = int(args[1])
n = 0
out = sys.stdout
for event in client.events(**kw):
    n += 1
    if show:
        out.write(json.dumps(event, separators=(",", ":")) + "\n")
        out.flush()
print("pyevents: %d events" % n, file=sys.stderr)
