{#- Lists. DuckDB lists (https://duckdb.org/docs/stable/sql/functions/list) are PostgreSQL
    arrays (https://www.postgresql.org/docs/15/functions-array.html); both index from 1.
    The lambda-taking ones take the lambda as a variable name and a body (SQL text using it):
        {{ xdb_list_transform('tokens', 't', "upper(t)") }}
    On PostgreSQL that is a subquery over unnest(...) with ordinality, so order is kept; a null
    list stays null, an empty one stays empty. A list literal is portable as array[a, b]. -#}

{#- The aggregate that collects values into a list: list(expr order by ...) / array_agg. -#}
{% macro xdb_list_agg(expr, order_by=none) -%}
    {{ return(adapter.dispatch('xdb_list_agg', 'leadsync')(expr, order_by)) }}
{%- endmacro %}
{% macro default__xdb_list_agg(expr, order_by=none) -%}
    list({{ expr }}{{ ' order by ' ~ order_by if order_by }})
{%- endmacro %}
{% macro postgres__xdb_list_agg(expr, order_by=none) -%}
    array_agg({{ expr }}{{ ' order by ' ~ order_by if order_by }})
{%- endmacro %}

{#- Number of elements. -#}
{% macro xdb_list_len(list) -%}
    {{ return(adapter.dispatch('xdb_list_len', 'leadsync')(list)) }}
{%- endmacro %}
{% macro default__xdb_list_len(list) -%}len({{ list }}){%- endmacro %}
{% macro postgres__xdb_list_len(list) -%}cardinality({{ list }}){%- endmacro %}

{#- True when `value` is an element (false when not; null when the list is null). -#}
{% macro xdb_list_contains(list, value) -%}
    {{ return(adapter.dispatch('xdb_list_contains', 'leadsync')(list, value)) }}
{%- endmacro %}
{% macro default__xdb_list_contains(list, value) -%}list_contains({{ list }}, {{ value }}){%- endmacro %}
{% macro postgres__xdb_list_contains(list, value) -%}
    (case when ({{ list }}) is not null then coalesce(({{ value }}) = any({{ list }}), false) end)
{%- endmacro %}

{#- True when the two lists share an element. -#}
{% macro xdb_list_has_any(a, b) -%}
    {{ return(adapter.dispatch('xdb_list_has_any', 'leadsync')(a, b)) }}
{%- endmacro %}
{% macro default__xdb_list_has_any(a, b) -%}list_has_any({{ a }}, {{ b }}){%- endmacro %}
{% macro postgres__xdb_list_has_any(a, b) -%}(({{ a }}) && ({{ b }})){%- endmacro %}

{#- 1-based position of the first element equal to `value`; null when absent. -#}
{% macro xdb_list_position(list, value) -%}
    {{ return(adapter.dispatch('xdb_list_position', 'leadsync')(list, value)) }}
{%- endmacro %}
{% macro default__xdb_list_position(list, value) -%}nullif(list_position({{ list }}, {{ value }}), 0){%- endmacro %}
{% macro postgres__xdb_list_position(list, value) -%}array_position({{ list }}, {{ value }}){%- endmacro %}

{#- Elements `start` .. `stop` (1-based, both included). -#}
{% macro xdb_list_slice(list, start, stop) -%}
    {{ return(adapter.dispatch('xdb_list_slice', 'leadsync')(list, start, stop)) }}
{%- endmacro %}
{% macro default__xdb_list_slice(list, start, stop) -%}list_slice({{ list }}, {{ start }}, {{ stop }}){%- endmacro %}
{% macro postgres__xdb_list_slice(list, start, stop) -%}(({{ list }})[{{ start }}:{{ stop }}]){%- endmacro %}

{#- `first` elements of a list followed by `rest`: concatenation, prepend. -#}
{% macro xdb_list_concat(a, b) -%}
    {{ return(adapter.dispatch('xdb_list_concat', 'leadsync')(a, b)) }}
{%- endmacro %}
{% macro default__xdb_list_concat(a, b) -%}list_concat({{ a }}, {{ b }}){%- endmacro %}
{% macro postgres__xdb_list_concat(a, b) -%}array_cat({{ a }}, {{ b }}){%- endmacro %}

{% macro xdb_list_prepend(value, list) -%}
    {{ return(adapter.dispatch('xdb_list_prepend', 'leadsync')(value, list)) }}
{%- endmacro %}
{% macro default__xdb_list_prepend(value, list) -%}list_prepend({{ value }}, {{ list }}){%- endmacro %}
{% macro postgres__xdb_list_prepend(value, list) -%}array_prepend({{ value }}, {{ list }}){%- endmacro %}

{#- Text split on a separator into a list (string_split / string_to_array). -#}
{% macro xdb_string_split(expr, separator) -%}
    {{ return(adapter.dispatch('xdb_string_split', 'leadsync')(expr, separator)) }}
{%- endmacro %}
{% macro default__xdb_string_split(expr, separator) -%}string_split({{ expr }}, {{ separator }}){%- endmacro %}
{% macro postgres__xdb_string_split(expr, separator) -%}string_to_array({{ expr }}, {{ separator }}){%- endmacro %}

{#- The shared body of the PostgreSQL lambda forms: `select <select> from unnest(list) ... <where>`. -#}
{% macro _xdb_pg_over_list(list, var, select, where=none, order='_ord') -%}
    (case when ({{ list }}) is not null then coalesce((
        select {{ select }} from unnest({{ list }}) with ordinality as _u_{{ var }}({{ var }}, _ord)
        {{ 'where ' ~ where if where }}
    ), {{ "'{}'" if 'array_agg' in select else 'null' }}) end)
{%- endmacro %}

{#- Each element through `body` (lambda `var: body`). -#}
{% macro xdb_list_transform(list, var, body) -%}
    {{ return(adapter.dispatch('xdb_list_transform', 'leadsync')(list, var, body)) }}
{%- endmacro %}
{% macro default__xdb_list_transform(list, var, body) -%}
    list_transform({{ list }}, lambda {{ var }}: {{ body }})
{%- endmacro %}
{% macro postgres__xdb_list_transform(list, var, body) -%}
    {{ _xdb_pg_over_list(list, var, 'array_agg(' ~ body ~ ' order by _ord)') }}
{%- endmacro %}

{#- The elements for which `condition` (lambda `var: condition`) is true, in order. -#}
{% macro xdb_list_filter(list, var, condition) -%}
    {{ return(adapter.dispatch('xdb_list_filter', 'leadsync')(list, var, condition)) }}
{%- endmacro %}
{% macro default__xdb_list_filter(list, var, condition) -%}
    list_filter({{ list }}, lambda {{ var }}: {{ condition }})
{%- endmacro %}
{% macro postgres__xdb_list_filter(list, var, condition) -%}
    {{ _xdb_pg_over_list(list, var, 'array_agg(' ~ var ~ ' order by _ord)', where=condition) }}
{%- endmacro %}

{#- Elements in reverse order. -#}
{% macro xdb_list_reverse(list) -%}
    {{ return(adapter.dispatch('xdb_list_reverse', 'leadsync')(list)) }}
{%- endmacro %}
{% macro default__xdb_list_reverse(list) -%}list_reverse({{ list }}){%- endmacro %}
{% macro postgres__xdb_list_reverse(list) -%}
    {{ _xdb_pg_over_list(list, 'r', 'array_agg(r order by _ord desc)') }}
{%- endmacro %}

{#- Distinct non-null elements, sorted ascending (DuckDB's list_distinct leaves the order
    unspecified, so leadsync always sorts it: list_sort(list_distinct(x)) is this macro). -#}
{% macro xdb_list_distinct_sorted(list) -%}
    {{ return(adapter.dispatch('xdb_list_distinct_sorted', 'leadsync')(list)) }}
{%- endmacro %}
{% macro default__xdb_list_distinct_sorted(list) -%}list_sort(list_distinct({{ list }})){%- endmacro %}
{% macro postgres__xdb_list_distinct_sorted(list) -%}
    (case when ({{ list }}) is not null then coalesce((
        select array_agg(distinct d order by d) from unnest({{ list }}) as _u_d(d) where d is not null
    ), '{}') end)
{%- endmacro %}

{#- Elements sorted ascending, nulls last. -#}
{% macro xdb_list_sort(list) -%}
    {{ return(adapter.dispatch('xdb_list_sort', 'leadsync')(list)) }}
{%- endmacro %}
{% macro default__xdb_list_sort(list) -%}list_sort({{ list }}){%- endmacro %}
{% macro postgres__xdb_list_sort(list) -%}
    {{ _xdb_pg_over_list(list, 's', 'array_agg(s order by s nulls last)') }}
{%- endmacro %}

{#- Mean and population standard deviation of a numeric list. -#}
{% macro xdb_list_avg(list) -%}
    {{ return(adapter.dispatch('xdb_list_avg', 'leadsync')(list)) }}
{%- endmacro %}
{% macro default__xdb_list_avg(list) -%}list_avg({{ list }}){%- endmacro %}
{% macro postgres__xdb_list_avg(list) -%}
    {{ _xdb_pg_over_list(list, 'a', 'avg(a)::double precision') }}
{%- endmacro %}

{% macro xdb_list_stddev_pop(list) -%}
    {{ return(adapter.dispatch('xdb_list_stddev_pop', 'leadsync')(list)) }}
{%- endmacro %}
{% macro default__xdb_list_stddev_pop(list) -%}list_stddev_pop({{ list }}){%- endmacro %}
{% macro postgres__xdb_list_stddev_pop(list) -%}
    {{ _xdb_pg_over_list(list, 'a', 'stddev_pop(a)::double precision') }}
{%- endmacro %}
