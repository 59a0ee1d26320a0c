"""The 2021 call as data files, and a deterministic generator of realistic programme data.

`run.run_seed` calls the steps in order (programme → evaluation → money → delivery); each step
draws from its own random stream derived from the seed number, so the same seed gives the
same rows.
"""
