"""One module a page: `layout(user, lang, query, *path_args)` and `register(dash_app)` for its callbacks."""
