{#- Raw tables are append-only: a re-read file or a re-sent record arrives again in a later load.
    The current version of a record is the one from the newest load (`load_id`), and within one
    load the last row written. A whole select, portable (DISTINCT ON is the same on DuckDB and
    PostgreSQL; `qualify` is DuckDB-only):
        latest_versions as ( {{ latest_version_of('events') }} )
-#}
{% macro latest_version_of(relation, key='source_name, source_record_id') -%}
    select distinct on ({{ key }}) * from {{ relation }}
    order by {{ key }}, load_id desc, dlt_row_id desc
{%- endmacro %}

{#- DuckDB-only tail form (`select * from unioned {{ latest_version() }}`), kept until every
    model uses latest_version_of; it builds on DuckDB only. -#}
{% macro latest_version(key='source_name, source_record_id') -%}
    qualify row_number() over (
        partition by {{ key }} order by load_id desc, dlt_row_id desc
    ) = 1
{%- endmacro %}
