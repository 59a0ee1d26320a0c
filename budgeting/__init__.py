"""Money and obligations: envelopes, awards, budget lines, the expenditure ledger, direct hires, crowdsourcing."""
