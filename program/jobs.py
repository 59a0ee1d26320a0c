"""Job kinds of the programme domain (loaded by workers through JOB_MODULES): the proposal intake import."""
