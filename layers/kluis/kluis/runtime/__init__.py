"""The edge the Lambda handlers share: wiring (`resources`), the opening of a job's step (`steps`),
and which AWS failures the state machines retry (`transient`). The rest of `kluis` knows no events.
"""
