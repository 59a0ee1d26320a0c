"""Job kinds of the audit log (loaded by workers through JOB_MODULES): writing a checkpoint."""
