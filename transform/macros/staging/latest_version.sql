{#- Raw tables are append-only: a re-read file or a re-sent record arrives again in a later load.
    The current version of a record is the one from the newest load (`load_id`), and within one
    load the last row written. Use as the tail of a select:
        select * from unioned {{ latest_version() }}
-#}
{% macro latest_version(key='source_name, source_record_id') -%}
    qualify row_number() over (
        partition by {{ key }} order by load_id desc, dlt_row_id desc
    ) = 1
{%- endmacro %}
