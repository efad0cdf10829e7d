{#- Connected components of an undirected graph in one recursive query.

    `nodes`: a relation/CTE with column `node`; `edges`: a relation/CTE with columns `src`, `dst`
    holding both directions of every link. Returns a subquery with (node, component): the
    smallest node id reachable from it. tests/transform/identity/test_connected_components.py
    checks it against networkx on random graphs. -#}
{% macro identity_connected_components(nodes, edges) -%}
    {{ return(adapter.dispatch('identity_connected_components')(nodes, edges)) }}
{%- endmacro %}

{#- DuckDB: labels spread one hop per round and only changed nodes are carried to the next round
    (`using key` keeps one row per node and lets the round read the whole table through
    `recurring`, https://duckdb.org/docs/stable/sql/query_syntax/with#using-key), so a round
    costs the changed frontier, not the graph, and the number of rounds is the graph's diameter. -#}
{% macro default__identity_connected_components(nodes, edges) -%}
    (
        with recursive components(node, component) using key (node) as (
            select node, node from {{ nodes }}
            union
            select edges.dst, min(components.component)
            from components
            join {{ edges }} as edges on edges.src = components.node
            join recurring.components as current_label on current_label.node = edges.dst
            group by edges.dst
            having min(components.component) < min(current_label.component)
        )
        select node, component from components
    )
{%- endmacro %}

{#- PostgreSQL (no `using key`, no aggregates in the recursive term): every (node, reachable
    label) pair, deduplicated by `union`, then the smallest label per node. Its work grows with
    the square of a component's size, which the oversize guard bounds. -#}
{% macro postgres__identity_connected_components(nodes, edges) -%}
    (
        with recursive reach(node, component) as (
            select node, node from {{ nodes }}
            union
            select edges.dst, reach.component
            from reach
            join {{ edges }} as edges on edges.src = reach.node
        )
        select node, min(component) as component from reach group by node
    )
{%- endmacro %}
