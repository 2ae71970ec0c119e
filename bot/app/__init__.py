"""The application layer: one module per use-case area.

A use case takes the unit of work (`storage.db.Database`: a session or a transaction at a time) and
ports for what it does in Discord (`bot.app.ports`), applies the domain's rules and returns a typed
result. No Discord and no SQL here: the cogs turn interactions into calls and results into replies,
`storage` holds the queries.
"""
