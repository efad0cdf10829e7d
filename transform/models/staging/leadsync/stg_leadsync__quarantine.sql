-- Inputs the loaders rejected (ragged rows, unknown events, unreadable payloads...).
{{ staged(source('raw', 'quarantine')) }}
