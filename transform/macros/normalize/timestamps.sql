{#- Text timestamps in the formats exports and APIs use, to a naive UTC timestamp; null when unparseable.
    ISO 8601 (with or without zone) first, then US month-first, then day-first European forms,
    then epoch seconds / milliseconds. "03/04/2024" reads as March 4 (US exports dominate);
    day-first wins only where month-first is impossible (day > 12). -#}
{% macro parse_timestamp(expr) -%}
    coalesce(
        timezone('UTC', {{ xdb_try_cast(expr, 'timestamptz') }}),
        {{ xdb_try_strptime("trim(" ~ expr ~ ")", [
            '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y %I:%M %p', '%m/%d/%Y',
            '%m/%d/%y %H:%M', '%m/%d/%y',
            '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
            '%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y',
            '%Y/%m/%d %H:%M:%S', '%Y/%m/%d',
            '%d-%m-%Y %H:%M', '%d-%m-%Y',
            '%d %b %Y %H:%M', '%d %b %Y', '%b %d, %Y %H:%M', '%b %d, %Y', '%B %d, %Y', '%d %B %Y'
        ]) }},
        case when {{ xdb_regexp_full_match("trim(" ~ expr ~ ")", "'\d{9,10}(\.\d+)?'") }}
             then timezone('UTC', to_timestamp({{ xdb_try_cast("trim(" ~ expr ~ ")", 'double') }})) end,
        case when {{ xdb_regexp_full_match("trim(" ~ expr ~ ")", "'\d{12,13}'") }}
             then timezone('UTC', to_timestamp({{ xdb_try_cast("trim(" ~ expr ~ ")", 'double') }} / 1000)) end
    )
{%- endmacro %}
