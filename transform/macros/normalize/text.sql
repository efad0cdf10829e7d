{#- Trimmed, single-spaced text; empty strings become null so "missing" has one spelling. -#}
{% macro clean_text(expr) -%}
    nullif(regexp_replace(trim({{ expr }}), '\s+', ' ', 'g'), '')
{%- endmacro %}

{#- Title case that respects hyphens and apostrophes: "o'neil-SMITH" -> "O'Neil-Smith".
    DuckDB has no initcap; each word part is upper(first) || lower(rest). -#}
{% macro title_case(expr) -%}
    case when {{ expr }} is not null then
        array_to_string({{ xdb_list_transform(
            xdb_regexp_extract_all("lower(" ~ expr ~ ")", "'[^\s\-'']+|[\s\-'']'"),
            'part', "upper(left(part, 1)) || substr(part, 2)") }}, '')
    end
{%- endmacro %}
