{#- Aggregates DuckDB has and PostgreSQL spells differently. -#}

{#- The value of `expr` on the row where `by` is greatest / least (DuckDB arg_max / arg_min,
    https://duckdb.org/docs/stable/sql/functions/aggregates#arg_maxarg-val), skipping rows where
    `expr` is null, optionally only over rows where `where` holds (the aggregate's filter).
    `by` may be a row: "(survivorship_rank, touch_id)". PostgreSQL: the first element of an
    array_agg ordered by `by`. Break ties in `by` yourself; both engines pick any row on a tie. -#}
{% macro xdb_arg_max(expr, by, where=none) -%}
    {{ return(adapter.dispatch('xdb_arg_max', 'leadsync')(expr, by, where, 'desc')) }}
{%- endmacro %}

{% macro xdb_arg_min(expr, by, where=none) -%}
    {{ return(adapter.dispatch('xdb_arg_max', 'leadsync')(expr, by, where, 'asc')) }}
{%- endmacro %}

{% macro default__xdb_arg_max(expr, by, where, direction) -%}
    {{ 'arg_max' if direction == 'desc' else 'arg_min' }}({{ expr }}, {{ by }}){{ ' filter (where ' ~ where ~ ')' if where }}
{%- endmacro %}

{% macro postgres__xdb_arg_max(expr, by, where, direction) -%}
    (array_agg({{ expr }} order by {{ by }} {{ direction }} nulls last)
        filter (where ({{ expr }}) is not null{{ ' and (' ~ where ~ ')' if where }}))[1]
{%- endmacro %}

{#- The median (continuous: the mean of the two middle values of an even count), optionally
    over the rows where `where` holds. -#}
{% macro xdb_median(expr, where=none) -%}
    {{ return(adapter.dispatch('xdb_median', 'leadsync')(expr, where)) }}
{%- endmacro %}
{% macro default__xdb_median(expr, where=none) -%}
    median({{ expr }}){{ ' filter (where ' ~ where ~ ')' if where }}
{%- endmacro %}
{% macro postgres__xdb_median(expr, where=none) -%}
    percentile_cont(0.5) within group (order by {{ expr }}){{ ' filter (where ' ~ where ~ ')' if where }}
{%- endmacro %}

{#- Any one non-null value of the group (PostgreSQL 16 has any_value; 15 does not: min). -#}
{% macro xdb_any_value(expr) -%}
    {{ return(adapter.dispatch('xdb_any_value', 'leadsync')(expr)) }}
{%- endmacro %}
{% macro default__xdb_any_value(expr) -%}any_value({{ expr }}){%- endmacro %}
{% macro postgres__xdb_any_value(expr) -%}min({{ expr }}){%- endmacro %}
