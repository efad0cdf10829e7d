{#- One amount with an optional k/m/b suffix: "$5m" -> 5000000, "1,200" -> 1200, "10k" -> 10000. -#}
{% macro parse_scaled_number(expr) -%}
    ({{ xdb_try_cast("nullif(" ~ xdb_regexp_extract("replace(lower(" ~ expr ~ "), ',', '')", "'(\d+(\.\d+)?)'", 1) ~ ", '')", 'double') }}
     * case {{ xdb_regexp_extract("replace(lower(" ~ expr ~ "), ',', '')", "'\d+(\.\d+)?\s*(k|thousand|mm|m|million|bn|b|billion)\\b'", 2) }}
           when 'k' then 1e3 when 'thousand' then 1e3
           when 'm' then 1e6 when 'mm' then 1e6 when 'million' then 1e6
           when 'b' then 1e9 when 'bn' then 1e9 when 'billion' then 1e9
           else 1 end)
{%- endmacro %}

{#- A number or a band to one figure. Rule (documented in intermediate/normalized/_normalized.yml):
    a band "a-b" / "a to b" becomes its midpoint; an open band "a+" / "over a" / ">a" its lower
    bound; "<a" / "under a" half of a; a plain number itself. Null when nothing numeric is there. -#}
{% macro parse_band(expr) -%}
    case
        when {{ expr }} is null or not {{ xdb_regexp_matches(expr, "'\d'") }} then null
        when {{ xdb_regexp_matches("lower(" ~ expr ~ ")", "'\d[^-–]*(-|–|\\bto\\b)\s*\$?\s*\d'") }}
            then ({{ parse_scaled_number(xdb_regexp_extract("lower(" ~ expr ~ ")", "'^(.*?\d[^-–]*?)\s*(-|–|to)\s*\$?\s*\d'", 1)) }}
                  + {{ parse_scaled_number(xdb_regexp_extract("lower(" ~ expr ~ ")", "'(-|–|to)\s*(\$?\s*\d.*)$'", 2)) }}) / 2
        when {{ xdb_regexp_matches("lower(" ~ expr ~ ")", "'^\s*(<|under|less than|below)'") }}
            then {{ parse_scaled_number(expr) }} / 2
        else {{ parse_scaled_number(expr) }}
    end
{%- endmacro %}
