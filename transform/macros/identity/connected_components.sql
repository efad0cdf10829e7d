{#- Connected components of an undirected graph in one recursive query.

    `nodes`: a relation/CTE with column `node`; `edges`: a relation/CTE with columns `src`, `dst`
    holding both directions of every link. Returns a subquery with (node, component): the
    smallest node id reachable from it. Labels spread one hop per round and only changed nodes
    are carried to the next round (`using key` keeps one row per node and lets the round read
    the whole table through `recurring`), so a round costs the changed frontier, not the graph,
    and the number of rounds is the graph's diameter. -#}
{% macro identity_connected_components(nodes, edges) -%}
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
