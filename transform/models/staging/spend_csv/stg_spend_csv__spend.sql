-- Marketing spend per lead source and month, one row per record version.
{{ staged(source('raw', 'spend'), renames={'month': 'spend_month_raw', 'amount': 'amount_raw'}) }}
