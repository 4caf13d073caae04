"""The books of an administration/year, pure (no AWS): the records read as typed, streaming
datasets (`records`), the XAF auditfile every backup carries (`xaf`), and the summary a restore
shows before it replaces anything (`summary`)."""
