{#- The funnel's stages as seeds/funnel_stages.csv orders them, read from the built seed when dbt
    executes, so no model writes a stage list of its own. Each item: stage, stage_order, is_exit,
    reached_by_later_stage, rate_column. At parse time (no database) the list is empty; the
    model that loops over it must ref('funnel_stages') so dbt builds the seed first. -#}
{% macro funnel_stages() -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set result = run_query(
        "select stage, stage_order, is_exit, reached_by_later_stage, rate_column from "
        ~ ref('funnel_stages') ~ " order by stage_order") -%}
    {%- set stages = [] -%}
    {%- for row in result.rows -%}
        {%- do stages.append({
            'stage': row[0], 'stage_order': row[1], 'is_exit': row[2],
            'reached_by_later_stage': row[3], 'rate_column': row[4]}) -%}
    {%- endfor -%}
    {{ return(stages) }}
{%- endmacro %}

{#- The stages with a conversion-rate column in the source marts, in funnel order. -#}
{% macro funnel_rate_stages() -%}
    {{ return(funnel_stages() | selectattr('rate_column') | list) }}
{%- endmacro %}
