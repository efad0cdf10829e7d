"""What leadsync does, once, for every front end: the CLI, the Dagster assets and the demo call
these functions and nothing below them (none of those three imports another).

- `sync`: load the selected sources (one failing source does not stop the others), then transform.
- `transform`: `dbt build` with the config's vars, the failure summary, then `publish`.
- `publish`: the BI copy of the marts.
- `forget`: erase one person everywhere.
- `check`: the read-only doctor behind `leadsync check`.

Every failure a user can act on is a `UserError` whose message is one plain sentence.
"""
