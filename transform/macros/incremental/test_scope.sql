{#-
    Data tests on incremental runs check only the rows this run wrote.

    A test whose `where` config contains __refreshed_this_run__ (set for the lead-grain models
    in dbt_project.yml) gets, during an incremental `dbt build`, the condition "stamped by this
    run" on the model's `refreshed_at` (or `lead_refreshed_at`) column. Older rows were checked
    by the build that wrote them; delete+insert replaces a lead's rows as a whole, so a unique
    key is unique in the table when it is unique among the rows written (and relationships still
    look up the whole parent table). A failing test fails that build; its rows are not checked
    again by later incremental builds, but are by a `dbt build --full-refresh` or a plain
    `dbt test`, which (like models without such a column) test every row.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__refreshed_this_run__' in where -%}
        {%- set where = where | replace('__refreshed_this_run__', leadsync_refreshed_this_run(relation)) -%}
    {%- endif -%}
    {%- if where and where | trim != 'true' -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro leadsync_refreshed_this_run(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or flags.WHICH != 'build' -%}{{ return('true') }}{%- endif -%}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- for column in ['refreshed_at', 'lead_refreshed_at'] -%}
        {%- if column in present -%}
            {{ return(column ~ ' = ' ~ this_run_at()) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('true') }}
{%- endmacro %}
