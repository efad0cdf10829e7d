{#- `union all by name` of several relations (DuckDB,
    https://duckdb.org/docs/stable/sql/query_syntax/setops#union-all-by-name): columns matched by
    name, a column missing from one relation is null there; column order is the first
    relation's, then each new column where it first appears. PostgreSQL has no BY NAME, so there
    the column lists come from the built relations (adapter.get_columns_in_relation) and are
    spelled out. `where`: an optional filter applied to each relation. -#}
{% macro xdb_union_all_by_name(relations, where=none) -%}
    {{ return(adapter.dispatch('xdb_union_all_by_name', 'leadsync')(relations, where)) }}
{%- endmacro %}

{% macro default__xdb_union_all_by_name(relations, where=none) -%}
    {%- for relation in relations %}
    select * from {{ relation }}{{ ' where ' ~ where if where }}
    {{ 'union all by name' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro postgres__xdb_union_all_by_name(relations, where=none) -%}
    {%- if not execute -%}
        {{ return(default__xdb_union_all_by_name(relations, where) | replace('union all by name', 'union all')) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- set types = {} -%}
    {%- set present = {} -%}
    {%- for relation in relations -%}
        {%- set cols = [] -%}
        {%- for col in adapter.get_columns_in_relation(relation) -%}
            {%- set lname = col.name | lower -%}
            {%- if lname not in types -%}
                {%- do names.append(lname) -%}
                {%- do types.update({lname: col.data_type}) -%}
            {%- endif -%}
            {%- do cols.append(lname) -%}
        {%- endfor -%}
        {%- do present.update({relation | string: cols}) -%}
    {%- endfor -%}
    {%- for relation in relations %}
    select
        {%- for name in names %}
        {% if name in present[relation | string] -%}
        {{ adapter.quote(name) }}
        {%- else -%}
        cast(null as {{ types[name] }}) as {{ adapter.quote(name) }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}{{ ' where ' ~ where if where }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
