{#-
    Select every column the sources YAML declares for a raw table, cast to its declared type.

    Why: a raw table exists only once a source of its type has loaded something, and dlt adds
    columns lazily. Staging must build either way, so a missing table becomes an empty relation
    and a missing column becomes a typed null, both from the declarations in _raw_sources.yml
    (which tests/transform/test_raw_contract.py keeps equal to the Python schemas).
-#}
{% macro raw_or_empty(source_relation) -%}
    {%- set declared = leadsync_declared_columns(source_relation.identifier) -%}
    {%- set existing = none -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=source_relation.database, schema=source_relation.schema,
            identifier=source_relation.identifier) -%}
    {%- endif -%}
    {%- if existing is none %}
    (select
        {%- for name, data_type in declared %}
        cast(null as {{ data_type }}) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    where false)
    {%- else -%}
        {%- set present = adapter.get_columns_in_relation(existing) | map(attribute="name") | map("lower") | list %}
    (select
        {%- for name, data_type in declared %}
        {% if name | lower in present -%}
        cast({{ adapter.quote(name) }} as {{ data_type }})
        {%- else -%}
        cast(null as {{ data_type }})
        {%- endif %} as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ existing }})
    {%- endif -%}
{%- endmacro %}


{#- (name, data_type) pairs declared for raw table `identifier` in the sources YAML. -#}
{% macro leadsync_declared_columns(identifier) -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- if node.source_name == "raw" and node.name == identifier -%}
                {%- for col in node.columns.values() -%}
                    {%- do found.append((col.name, col.data_type)) -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error("raw table " ~ identifier ~ " declares no columns in _raw_sources.yml") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}
