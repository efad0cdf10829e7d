{#- Config values (leadsync.yaml, passed as dbt vars) enter SQL only through these macros, so a
    value is always data, never SQL text: "Children's Products", "x') or (1=1) or ('x" and "US'"
    are matched as the strings they are.

    dbt's own string_literal() wraps the value in quotes without escaping it; this one doubles
    every single quote, which is the whole escaping rule of a standard SQL string literal on
    DuckDB and on PostgreSQL (standard_conforming_strings is on by default since 9.1, so a
    backslash is an ordinary character). -#}
{% macro sql_string(value) -%}
    '{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}

{#- A comma-separated list of quoted strings, for `in (...)`; `null` when empty (matches nothing). -#}
{% macro sql_string_list(values) -%}
    {%- for v in values %}{{ sql_string(v) }}{{ ', ' if not loop.last }}{% endfor -%}
    {%- if values | length == 0 %}null{% endif -%}
{%- endmacro %}

{#- A number from the config, refused at compile time when it is not one (never spliced as text). -#}
{% macro sql_number(value) -%}
    {%- if value is number and value is not boolean -%}{{ value }}
    {%- else -%}{{ exceptions.raise_compiler_error("expected a number in the leadsync vars, got " ~ (value | tojson)) }}
    {%- endif -%}
{%- endmacro %}
