{#- `union all by name` of several relations (DuckDB,
    https://duckdb.org/docs/stable/sql/query_syntax/setops#union-all-by-name): columns matched by
    name, a column missing from one relation is null there; column order is the first
    relation's, then each new column where it first appears. PostgreSQL has no BY NAME, so there
    the column lists come from the built relations (adapter.get_columns_in_relation) and are
    spelled out (in a unit test, from the relation its input fixture stands for). `where`: an
    optional filter applied to each relation. -#}
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
        {%- for lname, data_type in _xdb_relation_columns(relation) -%}
            {%- if lname not in types -%}
                {%- do names.append(lname) -%}
                {%- do types.update({lname: data_type}) -%}
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

{#- (lower-case name, data type) of the columns of the built relation behind `relation`: itself,
    or in a unit test (where ref() gives the fixture CTE __dbt__cte__<model>, which has the
    model's columns) the model's table or view, found in information_schema. -#}
{% macro _xdb_relation_columns(relation) -%}
    {%- set name = relation | string -%}
    {%- set found = [] -%}
    {%- if name.startswith('__dbt__cte__') -%}
        {%- set rows = run_query(
            "select column_name, data_type from information_schema.columns where table_name = "
            ~ sql_string(name[12:]) ~ " and table_schema = (select min(table_schema) from information_schema.columns"
            ~ " where table_name = " ~ sql_string(name[12:]) ~ ") order by ordinal_position").rows -%}
        {%- for row in rows -%}{%- do found.append((row[0] | lower, row[1])) -%}{%- endfor -%}
    {%- else -%}
        {%- for col in adapter.get_columns_in_relation(relation) -%}
            {%- do found.append((col.name | lower, col.data_type)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}
