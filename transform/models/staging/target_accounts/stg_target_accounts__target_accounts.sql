-- The companies sales wants to win, one row per account record version.
{{ staged(source('raw', 'target_accounts')) }}
