{#- Use the configured schema name as is (staging, intermediate, marts), not target_schema + '_' + name:
    BI tools read the stable name `marts`. On a server target leadsync builds the marts aside
    (var leadsync_marts_schema = marts_build) and publishes them into `marts` in one transaction
    (orchestration/marts_swap.py), so readers never see a half-built mart. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}{{ var('leadsync_marts_schema', 'marts') }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
