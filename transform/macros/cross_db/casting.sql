{#- Safe casts: null instead of an error when the text is not a value of the type.
    DuckDB has try_cast built in (https://duckdb.org/docs/stable/sql/expressions/cast#try_cast).
    PostgreSQL has no safe cast before version 19, so on-run-start creates one PL/pgSQL function
    per type, public.leadsync_try_<type>(text), which catches the cast's error (cross_db_functions.sql).
    `type`: one of xdb_try_cast_types() below (DuckDB spellings). -#}

{% macro xdb_try_cast_types() -%}
    {{ return({
        'double': 'double precision', 'bigint': 'bigint', 'integer': 'integer', 'numeric': 'numeric',
        'date': 'date', 'timestamp': 'timestamp', 'timestamptz': 'timestamptz', 'boolean': 'boolean'}) }}
{%- endmacro %}

{% macro xdb_try_cast(expr, type) -%}
    {%- if type not in xdb_try_cast_types() -%}
        {{ exceptions.raise_compiler_error("xdb_try_cast: unsupported type " ~ type ~ "; add it to xdb_try_cast_types()") }}
    {%- endif -%}
    {{ return(adapter.dispatch('xdb_try_cast', 'leadsync')(expr, type)) }}
{%- endmacro %}

{% macro default__xdb_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ xdb_try_cast_types()[type] }})
{%- endmacro %}

{% macro postgres__xdb_try_cast(expr, type) -%}
    public.leadsync_try_{{ type }}(({{ expr }})::text)
{%- endmacro %}


{#- Text to a timestamp by the first of `formats` (strftime spellings, as DuckDB's try_strptime
    takes them: https://duckdb.org/docs/stable/sql/functions/dateformat) that matches the whole
    text; null when none does. PostgreSQL's to_timestamp is lenient (it skips what does not fit),
    so each format there is guarded by a full-match regex built from the same format, and the
    conversion itself goes through public.leadsync_try_to_timestamp, which turns an out-of-range
    field (month 13) into null. Supported directives: %Y %y %m %d %H %I %M %S %p %b %B. -#}
{% macro xdb_try_strptime(expr, formats) -%}
    {{ return(adapter.dispatch('xdb_try_strptime', 'leadsync')(expr, formats)) }}
{%- endmacro %}

{% macro default__xdb_try_strptime(expr, formats) -%}
    try_strptime({{ expr }}, [{% for f in formats %}{{ sql_string(f) }}{{ ', ' if not loop.last }}{% endfor %}])
{%- endmacro %}

{% macro postgres__xdb_try_strptime(expr, formats) -%}
    {%- set directives = {
        '%Y': ['\\d{4}', 'YYYY'], '%y': ['\\d{2}', 'YY'], '%m': ['\\d{1,2}', 'FMMM'],
        '%d': ['\\d{1,2}', 'FMDD'], '%H': ['\\d{1,2}', 'FMHH24'], '%I': ['\\d{1,2}', 'FMHH12'],
        '%M': ['\\d{2}', 'MI'], '%S': ['\\d{2}', 'SS'], '%p': ['[AaPp][Mm]', 'AM'],
        '%b': ['[A-Za-z]{3}', 'Mon'], '%B': ['[A-Za-z]+', 'FMMonth']} -%}
    coalesce(
    {%- for f in formats %}
        {%- set ns = namespace(regex='', pg='', i=0) -%}
        {%- for _ in range(f | length) -%}
            {%- if ns.i < f | length -%}
                {%- set two = f[ns.i:ns.i + 2] -%}
                {%- if two in directives -%}
                    {%- set ns.regex = ns.regex ~ directives[two][0] -%}
                    {%- set ns.pg = ns.pg ~ directives[two][1] -%}
                    {%- set ns.i = ns.i + 2 -%}
                {%- else -%}
                    {%- set ch = f[ns.i] -%}
                    {%- set ns.regex = ns.regex ~ ('\\s+' if ch == ' ' else ('\\' ~ ch if ch in '.,/-:' else ch)) -%}
                    {%- set ns.pg = ns.pg ~ ch -%}
                    {%- set ns.i = ns.i + 1 -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor %}
        case when ({{ expr }}) ~ {{ sql_string('^' ~ ns.regex ~ '$') }}
             then public.leadsync_try_to_timestamp({{ expr }}, {{ sql_string(ns.pg) }}) end{{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
