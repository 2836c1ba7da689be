"""The partners' e-mail digests: `build` (what is due, from the listing, the change history and
the ledger), `render` (Jinja2 templates to a multipart e-mail with an .ics), `smtp` (settings
and sending), `operator` (the working group's report), `run` (the ledger's protocol), `words`.
"""
