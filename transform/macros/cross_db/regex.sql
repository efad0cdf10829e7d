{#- Regular expressions. DuckDB uses RE2 (https://duckdb.org/docs/stable/sql/functions/regular_expressions),
    PostgreSQL its own ARE flavour (https://www.postgresql.org/docs/15/functions-matching.html).
    The patterns leadsync writes are the common subset, with one spelling difference handled
    here: RE2's word boundary \b is \y in PostgreSQL (where \b is a backspace), and \pL. `pattern` is SQL
    text (usually a quoted literal); the translation is applied to that text. -#}

{% macro xdb_regex(pattern) -%}
    {{ return(adapter.dispatch('xdb_regex', 'leadsync')(pattern)) }}
{%- endmacro %}

{% macro default__xdb_regex(pattern) -%}{{ pattern }}{%- endmacro %}

{#- \pL (any letter, RE2) has no ARE spelling; inside a bracket expression it becomes the
    Latin, Greek and Cyrillic letter ranges (the C locale's [:alpha:] is ASCII only). -#}
{% macro postgres__xdb_regex(pattern) -%}
    {{- pattern | replace('\\b', '\\y')
        | replace('\\pL', 'a-zA-Z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F\\u0370-\\u03FF\\u0400-\\u04FF\\u1E00-\\u1EFF') -}}
{%- endmacro %}


{#- True when `pattern` matches somewhere in `expr` (DuckDB regexp_matches). -#}
{% macro xdb_regexp_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('xdb_regexp_matches', 'leadsync')(expr, pattern)) }}
{%- endmacro %}

{% macro default__xdb_regexp_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__xdb_regexp_matches(expr, pattern) -%}
    (({{ expr }}) ~ {{ xdb_regex(pattern) }})
{%- endmacro %}


{#- True when `pattern` matches all of `expr` (DuckDB regexp_full_match). -#}
{% macro xdb_regexp_full_match(expr, pattern) -%}
    {{ return(adapter.dispatch('xdb_regexp_full_match', 'leadsync')(expr, pattern)) }}
{%- endmacro %}

{% macro default__xdb_regexp_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__xdb_regexp_full_match(expr, pattern) -%}
    (({{ expr }}) ~ ('^(?:' || {{ xdb_regex(pattern) }} || ')$'))
{%- endmacro %}


{#- Capture group `group` (0 = the whole match) of the first match; '' when there is no match
    and null when `expr` is null, as DuckDB's regexp_extract. -#}
{% macro xdb_regexp_extract(expr, pattern, group=0) -%}
    {{ return(adapter.dispatch('xdb_regexp_extract', 'leadsync')(expr, pattern, group)) }}
{%- endmacro %}

{% macro default__xdb_regexp_extract(expr, pattern, group=0) -%}
    regexp_extract({{ expr }}, {{ pattern }}, {{ group }})
{%- endmacro %}

{% macro postgres__xdb_regexp_extract(expr, pattern, group=0) -%}
    {%- if group == 0 -%}
    coalesce((regexp_match({{ expr }}, '(' || {{ xdb_regex(pattern) }} || ')'))[1], case when ({{ expr }}) is not null then '' end)
    {%- else -%}
    coalesce((regexp_match({{ expr }}, {{ xdb_regex(pattern) }}))[{{ group }}], case when ({{ expr }}) is not null then '' end)
    {%- endif -%}
{%- endmacro %}


{#- Every non-overlapping whole match, in order, as a list (DuckDB regexp_extract_all). -#}
{% macro xdb_regexp_extract_all(expr, pattern) -%}
    {{ return(adapter.dispatch('xdb_regexp_extract_all', 'leadsync')(expr, pattern)) }}
{%- endmacro %}

{% macro default__xdb_regexp_extract_all(expr, pattern) -%}
    regexp_extract_all({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__xdb_regexp_extract_all(expr, pattern) -%}
    case when ({{ expr }}) is not null then array(
        select m[1] from regexp_matches({{ expr }}, '(' || {{ xdb_regex(pattern) }} || ')', 'g') as m
    ) end
{%- endmacro %}


{#- regexp_replace with flags ('g' = every match); the same function on both, the pattern translated. -#}
{% macro xdb_regexp_replace(expr, pattern, replacement, flags="'g'") -%}
    regexp_replace({{ expr }}, {{ xdb_regex(pattern) }}, {{ replacement }}{{ ', ' ~ flags if flags }})
{%- endmacro %}
