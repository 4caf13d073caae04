"""The HTTP API (template.yaml's HttpApi): routes by resource (Powertools Routers) over the flows.

`app.resolve` is what functions/api/app.py calls; `errors` is the one map from a failure to an
answer; `auth` gives the caller's customer, from the token's claims only.
"""
