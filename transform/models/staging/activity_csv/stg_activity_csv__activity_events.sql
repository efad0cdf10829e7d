-- Sales activity events, one row per event version; occurred_at is parsed downstream.
{{ staged(source('raw', 'activity_events')) }}
