"""The programme: call, core fields, call types, projects, organisations, consortia, proposals, deliverables."""
