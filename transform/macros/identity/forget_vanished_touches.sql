{#- Post-hook of the identity state tables: rows whose touch is gone from
    int_lead_touches_normalized (erased by `leadsync forget`, or rebuilt away) are deleted, so
    identity state never keeps personal data the rest of the warehouse no longer has. -#}
{% macro identity_forget_vanished_touches() -%}
    delete from {{ this }}
    where touch_id not in (select touch_id from {{ ref('int_lead_touches_normalized') }})
{%- endmacro %}

{#- The same for marts.lead_links, where either end of a link may have been forgotten. -#}
{% macro identity_forget_vanished_links() -%}
    delete from {{ this }}
    where touch_id not in (select touch_id from {{ ref('int_lead_touches_normalized') }})
       or linked_touch_id not in (select touch_id from {{ ref('int_lead_touches_normalized') }})
{%- endmacro %}

{#- marts.lead_links keeps each link's lead current: after a merge, the retired lead's links
    carry the survivor's id. -#}
{% macro identity_relabel_merged_links() -%}
    update {{ this }} as links
    set lead_id = assignments.lead_id
    from {{ ref('int_identity_assignments') }} as assignments
    where assignments.touch_id = links.touch_id and assignments.lead_id <> links.lead_id
{%- endmacro %}
