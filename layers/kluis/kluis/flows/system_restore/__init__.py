"""System restores: the operator's point-in-time restore from versioned, replicated system backups.

`requests` is the customer's side (file a request, see its price); `fulfilment` the operator's and
the state machine's (copy the versions of a moment into a new generation, flip HEAD); `copying` the
server-side copies and their check; `drill` the regular proof that the system backups restore.
"""
