{#- Name comparison for identity resolution. Names arrive as keys (lower case, letters only)
    with their "forms": the key plus the formal names it is a nickname of (bob -> robert), so
    Bob and Robert compare equal without a fuzzy score. -#}

{#- Lower-case letters only, accents folded: "O'Neil-Smith" -> "oneilsmith"; empty -> null. -#}
{% macro identity_name_key(expr) -%}
    nullif(regexp_replace(lower(strip_accents(trim({{ expr }}))), '[^a-z]', '', 'g'), '')
{%- endmacro %}

{#- Two name parts are the same name when equal, nickname-equivalent (their forms overlap),
    Jaro-Winkler-similar at `threshold` or more, or one edit apart (typo, transposed letters)
    in names of five letters or more. Each part must pass on its own: a shared surname never
    carries a different first name (Joseph Ward is not Joseph Howard, Mark is not Mary). -#}
{% macro identity_parts_match(a_key, a_forms, b_key, b_forms, threshold) -%}
    coalesce(
        {{ a_key }} = {{ b_key }}
        or list_has_any({{ a_forms }}, {{ b_forms }})
        or jaro_winkler_similarity({{ a_key }}, {{ b_key }}) >= {{ threshold }}
        or (least(length({{ a_key }}), length({{ b_key }})) >= 5
            and damerau_levenshtein({{ a_key }}, {{ b_key }}) <= 1),
        false
    )
{%- endmacro %}

{#- True when two people's names are the same name: first and last both present, compared
    straight or transposed (first/last swapped by the person filling the form). -#}
{% macro identity_names_match(a, b, threshold) -%}
    (
        ({{ identity_parts_match(a ~ '.first_key', a ~ '.first_forms', b ~ '.first_key', b ~ '.first_forms', threshold) }}
         and {{ identity_parts_match(a ~ '.last_key', a ~ '.last_forms', b ~ '.last_key', b ~ '.last_forms', threshold) }})
        or
        ({{ identity_parts_match(a ~ '.last_key', a ~ '.last_forms', b ~ '.first_key', b ~ '.first_forms', threshold) }}
         and {{ identity_parts_match(a ~ '.first_key', a ~ '.first_forms', b ~ '.last_key', b ~ '.last_forms', threshold) }})
    )
{%- endmacro %}

{#- Names compatible enough when the phone number already agrees: the same test, but an initial
    ("J. Smith") also agrees with a first name that starts with it. A switchboard shared by
    colleagues still keeps them apart: their names differ. -#}
{% macro identity_names_compatible(a, b, threshold) -%}
    (
        {{ identity_names_match(a, b, threshold) }}
        or (
            (length({{ a }}.first_key) = 1 or length({{ b }}.first_key) = 1)
            and left({{ a }}.first_key, 1) = left({{ b }}.first_key, 1)
            and {{ identity_parts_match(a ~ '.last_key', a ~ '.last_forms', b ~ '.last_key', b ~ '.last_forms', threshold) }}
        )
    )
{%- endmacro %}
