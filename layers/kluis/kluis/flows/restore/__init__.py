"""Restore: an uploaded backup replaces an administration/year, definitively and atomically.

    POST /restores            job `awaiting-upload` + a presigned POST to uploads/{customer}/{job}.zip
                              (`uploads.RestoreUploads.create`)
    S3 ObjectCreated          starts restore.asl.json, execution named after the job, once
                              (`uploads.RestoreUploads.on_upload`)
    Validate                  the archive proven safe and ours, and streamed into a staged generation
                              that nothing reads (`staging.Staging.stage`; rejected: reason on the job,
                              upload and stage deleted by `cleanup`)
    AwaitConfirmation         a verification code on the job; waits for POST /restores/{id}/confirm
                              (`confirmation.Confirmations`, which also cancels)
    Apply                     lock, check the staged generation against the manifest, flip HEAD,
                              release (`apply.Apply`)
    Discard / RecordFailure   after a timeout, a cancel, too many codes or a fault: nothing live changed
                              (`cleanup.Cleanup`)

The target is the manifest's administration and fiscal year in the *uploading user's* customer:
a renamed file changes nothing, and a backup from another licence moves the data over.
"""
