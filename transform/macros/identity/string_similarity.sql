{#- The string functions identity resolution needs that DuckDB and PostgreSQL spell differently.
    DuckDB has them built in. PostgreSQL's fuzzystrmatch extension (`create extension
    fuzzystrmatch`, https://www.postgresql.org/docs/15/fuzzystrmatch.html) has levenshtein but no
    Jaro-Winkler and no Damerau distance: there the similarity is 1 - levenshtein / longer length,
    which ranks names the same way for one-letter slips but scores transpositions one step lower. -#}

{% macro identity_jaro_winkler(a, b) -%}
    {{ return(adapter.dispatch('identity_jaro_winkler')(a, b)) }}
{%- endmacro %}

{% macro default__identity_jaro_winkler(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{% macro postgres__identity_jaro_winkler(a, b) -%}
    (1.0 - levenshtein({{ a }}, {{ b }})::double precision / greatest(length({{ a }}), length({{ b }}), 1))
{%- endmacro %}

{#- Edits (insert, delete, substitute; DuckDB also counts a swap of neighbours as one). -#}
{% macro identity_edit_distance(a, b) -%}
    {{ return(adapter.dispatch('identity_edit_distance')(a, b)) }}
{%- endmacro %}

{% macro default__identity_edit_distance(a, b) -%}
    damerau_levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{% macro postgres__identity_edit_distance(a, b) -%}
    levenshtein({{ a }}, {{ b }})
{%- endmacro %}

{#- True when two lists (arrays) share an element; false when either is null. -#}
{% macro identity_lists_overlap(a, b) -%}
    {{ return(adapter.dispatch('identity_lists_overlap')(a, b)) }}
{%- endmacro %}

{% macro default__identity_lists_overlap(a, b) -%}
    coalesce(list_has_any({{ a }}, {{ b }}), false)
{%- endmacro %}

{% macro postgres__identity_lists_overlap(a, b) -%}
    coalesce({{ a }} && {{ b }}, false)
{%- endmacro %}

{#- A phonetic key of a name key (lower-case letters only), Soundex-like: the first letter, then
    the codes of the consonant classes (b f p v / c g j k q s x z / d t / l / m n / r) with runs
    collapsed and vowels dropped, padded to four characters: "smith", "smyth" and "smitt" -> s530.
    Written with translate/regexp_replace only, so it is the same key on DuckDB and PostgreSQL
    (PostgreSQL's soundex() differs in the h/w rule and would change blocks between warehouses). -#}
{% macro identity_phonetic_key(expr) -%}
    {%- set coded -%}
        translate(substr({{ expr }}, 2), 'aeiouyhwbfpvcgjkqsxzdtlmnr', '00000000111122222222334556')
    {%- endset -%}
    {%- for digit in range(1, 7) -%}
        {%- set coded = "regexp_replace(" ~ coded ~ ", '" ~ digit ~ "+', '" ~ digit ~ "', 'g')" -%}
    {%- endfor -%}
    case when {{ expr }} is not null then
        left(left({{ expr }}, 1) || replace({{ coded }}, '0', '') || '000', 4)
    end
{%- endmacro %}
