{#- The body of every staging model: the raw table's declared columns (raw_or_empty), listed by
    name (portable; `* exclude` is DuckDB-only), with dlt's bookkeeping columns renamed to load_id / dlt_row_id, and `renames` (raw column -> name)
    applied. Staging only renames and casts; every decision happens downstream.
        {{ staged(source('raw', 'spend'), renames={'month': 'spend_month_raw'}) }}
-#}
{% macro staged(source_relation, renames={}) -%}
with source as (

    select * from {{ raw_or_empty(source_relation) }} as raw_rows

),

final as (

    select
        {%- for name, _ in leadsync_declared_columns(source_relation.identifier) %}
        {%- if name not in ('_dlt_load_id', '_dlt_id') and name not in renames %}
        {{ adapter.quote(name) }},
        {%- endif %}
        {%- endfor %}
        {%- for raw_name, name in renames.items() %}
        {{ raw_name }} as {{ name }},
        {%- endfor %}
        _dlt_load_id as load_id,
        _dlt_id as dlt_row_id
    from source

)

select * from final
{%- endmacro %}
