{#- The touch -> lead memory as the previous run left it (int_identity_assignments), for the
    models that prepare this run's matching. They cannot ref() it: int_identity_assignments reads
    them, and dbt allows no cycle. They run before it in every build (it depends on them), so
    what they read is the previous run's state; before the first run it is empty. -#}
{% macro identity_previous_assignments() -%}
    {%- set relation = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_identity_assignments'
    ) if execute else none -%}
    {%- if relation is not none -%}
        (select touch_id, lead_id, assigned_at from {{ relation }})
    {%- else -%}
        (select
            cast(null as varchar) as touch_id,
            cast(null as varchar) as lead_id,
            cast(null as timestamp with time zone) as assigned_at
         where false)
    {%- endif -%}
{%- endmacro %}
