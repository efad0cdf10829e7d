{#- Post-hook of the identity state tables: rows whose touch is gone from
    int_lead_touches_normalized (erased by `leadsync forget`, or rebuilt away) are deleted, so
    identity state never keeps personal data the rest of the warehouse no longer has. -#}
{% macro identity_forget_vanished_touches() -%}
    delete from {{ this }}
    where touch_id not in (select touch_id from {{ ref('int_lead_touches_normalized') }})
{%- endmacro %}
