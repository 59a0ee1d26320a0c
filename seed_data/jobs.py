"""Job kinds of the seed (loaded by workers through JOB_MODULES): seeding a database at a given scale."""
