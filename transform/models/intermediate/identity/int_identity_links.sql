{#- This run's links: pairs of touches that are one person, each with the rule or the evidence
    that decided it. A link runs from a new touch (a) to a touch (b), new or already assigned.

    Certain links (deterministic rules, strongest first): the same email address; the same phone
    with a compatible name; a matching name at the same company. Scored links: the pair's match
    weight, log2 of the Bayes factor that it is one person (the prior plus one weight per
    field from int_identity_match_weights, the top levels of first name, surname and city
    adjusted for how common the value is), above `match_probability`. A pair keeps its strongest
    rule; every link keeps its weight and which fields agreed, for marts.lead_links. -#}
{%- set s = identity_settings() -%}
{%- set comparisons = identity_comparisons() -%}

with

new_touches as (

    select * from {{ ref('int_identity_new_touches') }}

),

compared as (

    select * from {{ ref('int_identity_pair_comparisons') }}

),

weights as (

    select * from {{ ref('int_identity_match_weights') }}

),

frequencies as (

    select * from {{ ref('int_identity_term_frequencies') }}

),

scored as (

    select
        compared.*,
        (select match_weight from weights where field = '__prior__')
        {%- for comparison in comparisons %}
        + coalesce(w_{{ comparison.field }}.match_weight, 0)
        {%- if comparison.tf %}
        + case when compared.gamma_{{ comparison.field }} = {{ comparison.levels | length - 1 }}
               then coalesce(ln(w_{{ comparison.field }}.u / greatest(tf_{{ comparison.field }}.tf, 1e-6)) / ln(2.0), 0)
               else 0 end
        {%- endif %}
        {%- endfor %}
        as match_weight
    from compared
    {%- for comparison in comparisons %}
    left join weights as w_{{ comparison.field }}
        on w_{{ comparison.field }}.field = '{{ comparison.field }}'
       and w_{{ comparison.field }}.level = compared.gamma_{{ comparison.field }}
    {%- if comparison.tf %}
    left join frequencies as tf_{{ comparison.field }}
        on tf_{{ comparison.field }}.field = '{{ comparison.field }}'
       and tf_{{ comparison.field }}.value = compared.{{ comparison.field }}_value
    {%- endif %}
    {%- endfor %}

),

pair_links as (

    select
        scored.*,
        case
            {%- if identity_rule_enabled('email') %}
            when gamma_email = 3 then {{ identity_rule_rank('email') }}
            {%- endif %}
            {%- if identity_rule_enabled('phone_and_name') %}
            when phone_equal and gamma_first_name in (1, 3, 4) and gamma_last_name in (3, 4)
                then {{ identity_rule_rank('phone_and_name') }}
            {%- endif %}
            {%- if identity_rule_enabled('fuzzy_name_and_company') %}
            when gamma_company = 2 and gamma_first_name in (3, 4) and gamma_last_name in (3, 4)
                then {{ identity_rule_rank('fuzzy_name_and_company') }}
            {%- endif %}
            {%- if identity_rule_enabled('match_weight') %}
            when match_weight >= ln({{ s['match_probability'] }} / (1.0 - {{ s['match_probability'] }})) / ln(2.0)
                then {{ identity_rule_rank('match_weight') }}
            {%- endif %}
        end as rule_rank
    from scored

),

{%- if identity_rule_enabled('email') %}
email_anchors as (

    {# Linking every touch of an address to every other is quadratic; a star around the
        group's first new touch connects the same people. #}
    select email_key, min(touch_id) as anchor_touch_id
    from new_touches
    where email_key is not null
    group by email_key

),

previous as (

    select * from {{ identity_previous_assignments() }}

),

email_links as (

    select new_touches.touch_id as a_touch_id, email_anchors.anchor_touch_id as b_touch_id,
           cast(null as varchar) as b_lead_id
    from new_touches
    join email_anchors using (email_key)
    where new_touches.touch_id <> email_anchors.anchor_touch_id

    union all

    {# the group's anchor to one touch of each existing lead with the address #}
    select email_anchors.anchor_touch_id, min(keys.touch_id), previous.lead_id
    from email_anchors
    join {{ ref('int_identity_touch_keys') }} as keys using (email_key)
    join previous on previous.touch_id = keys.touch_id
    group by email_anchors.anchor_touch_id, previous.lead_id

),
{%- endif %}

all_links as (

    select
        a_touch_id, b_touch_id, b_lead_id, rule_rank, match_weight, names_swapped
        {%- for comparison in comparisons %}, gamma_{{ comparison.field }}{% endfor %}
    from pair_links
    where rule_rank is not null

    {%- if identity_rule_enabled('email') %}
    union all
    select
        a_touch_id, b_touch_id, b_lead_id, {{ identity_rule_rank('email') }}, null, null
        {%- for comparison in comparisons %}, {% if comparison.field == 'email' %}3{% else %}null{% endif %}{% endfor %}
    from email_links
    {%- endif %}

),

ranked as (

    {# one row per pair: the strongest rule, then the row with evidence #}
    select
        all_links.*,
        row_number() over (
            partition by a_touch_id, b_touch_id
            order by rule_rank, match_weight desc nulls last
        ) as pair_rank
    from all_links

),

final as (

    select
        a_touch_id,
        b_touch_id,
        b_lead_id,
        rule_rank,
        {{ identity_rule_from_rank('rule_rank') }} as match_rule,
        match_weight,
        case when match_weight is not null
             then 1.0 / (1.0 + power(2.0, -least(greatest(match_weight, -60.0), 60.0))) end as match_probability,
        concat_ws(', '
            {%- for comparison in comparisons %}
            , case gamma_{{ comparison.field }}
                {%- for label in comparison.levels %}{% if not loop.first %}
                when {{ loop.index0 }} then '{{ comparison.field }}: {{ label }}'{% endif %}{% endfor %}
              end
            {%- endfor %}
            , case when names_swapped then 'names swapped' end
        ) as agreed_fields,
        names_swapped
        {%- for comparison in comparisons %},
        gamma_{{ comparison.field }}
        {%- endfor %}
    from ranked
    where pair_rank = 1

)

select * from final
