{#- Text functions DuckDB has built in and PostgreSQL gets from contrib extensions, which
    on-run-start creates (cross_db_functions.sql): unaccent (https://www.postgresql.org/docs/15/unaccent.html),
    fuzzystrmatch (https://www.postgresql.org/docs/15/fuzzystrmatch.html), plus PL/pgSQL
    Jaro-Winkler and Damerau-Levenshtein functions written to DuckDB's definitions. -#}

{#- Accents removed: "Zoë Müller" -> "Zoe Muller". -#}
{% macro xdb_strip_accents(expr) -%}
    {{ return(adapter.dispatch('xdb_strip_accents', 'leadsync')(expr)) }}
{%- endmacro %}
{% macro default__xdb_strip_accents(expr) -%}strip_accents({{ expr }}){%- endmacro %}
{% macro postgres__xdb_strip_accents(expr) -%}public.unaccent({{ expr }}){%- endmacro %}

{#- True when `needle` occurs in `expr`: strpos works on both, this names the intent. -#}
{% macro xdb_contains(expr, needle) -%}
    (strpos({{ expr }}, {{ needle }}) > 0)
{%- endmacro %}

{#- Edit distance: insertions, deletions, substitutions. -#}
{% macro xdb_levenshtein(a, b) -%}
    {{ return(adapter.dispatch('xdb_levenshtein', 'leadsync')(a, b)) }}
{%- endmacro %}
{% macro default__xdb_levenshtein(a, b) -%}levenshtein({{ a }}, {{ b }}){%- endmacro %}
{% macro postgres__xdb_levenshtein(a, b) -%}public.levenshtein({{ a }}, {{ b }}){%- endmacro %}

{#- Edit distance that also counts a swap of neighbours as one edit (optimal string alignment). -#}
{% macro xdb_damerau_levenshtein(a, b) -%}
    {{ return(adapter.dispatch('xdb_damerau_levenshtein', 'leadsync')(a, b)) }}
{%- endmacro %}
{% macro default__xdb_damerau_levenshtein(a, b) -%}damerau_levenshtein({{ a }}, {{ b }}){%- endmacro %}
{% macro postgres__xdb_damerau_levenshtein(a, b) -%}public.leadsync_damerau_levenshtein({{ a }}, {{ b }}){%- endmacro %}

{#- Jaro-Winkler similarity in [0, 1] (prefix scale 0.1 over at most 4 characters). -#}
{% macro xdb_jaro_winkler_similarity(a, b) -%}
    {{ return(adapter.dispatch('xdb_jaro_winkler_similarity', 'leadsync')(a, b)) }}
{%- endmacro %}
{% macro default__xdb_jaro_winkler_similarity(a, b) -%}jaro_winkler_similarity({{ a }}, {{ b }}){%- endmacro %}
{% macro postgres__xdb_jaro_winkler_similarity(a, b) -%}public.leadsync_jaro_winkler({{ a }}, {{ b }}){%- endmacro %}

{#- A JSON object as text from (key, expr) pairs, in that order:
    {{ xdb_json_object([('email', 'email'), ('event', 'event_raw')]) }}.
    Key spacing differs between engines; readers parse it, never compare the text. -#}
{% macro xdb_json_object(pairs) -%}
    {{ return(adapter.dispatch('xdb_json_object', 'leadsync')(pairs)) }}
{%- endmacro %}
{% macro default__xdb_json_object(pairs) -%}
    to_json(struct_pack({% for key, expr in pairs %}{{ adapter.quote(key) }} := {{ expr }}{{ ', ' if not loop.last }}{% endfor %}))::varchar
{%- endmacro %}
{% macro postgres__xdb_json_object(pairs) -%}
    json_build_object({% for key, expr in pairs %}{{ sql_string(key) }}, {{ expr }}{{ ', ' if not loop.last }}{% endfor %})::text
{%- endmacro %}

{#- One top-level key of a JSON text value, as text (null when absent):
    {{ xdb_json_key_text('custom_fields', 'OldValue') }}. -#}
{% macro xdb_json_key_text(expr, key) -%}
    {{ return(adapter.dispatch('xdb_json_key_text', 'leadsync')(expr, key)) }}
{%- endmacro %}
{% macro default__xdb_json_key_text(expr, key) -%}json_extract_string({{ expr }}, {{ sql_string('$.' ~ key) }}){%- endmacro %}
{% macro postgres__xdb_json_key_text(expr, key) -%}(cast({{ expr }} as jsonb) ->> {{ sql_string(key) }}){%- endmacro %}

{#- round(expr, digits) for any numeric type: PostgreSQL rounds to digits only numeric, not
    double precision, so the value is cast there first. -#}
{% macro xdb_round(expr, digits) -%}
    {{ return(adapter.dispatch('xdb_round', 'leadsync')(expr, digits)) }}
{%- endmacro %}
{% macro default__xdb_round(expr, digits) -%}round({{ expr }}, {{ digits }}){%- endmacro %}
{% macro postgres__xdb_round(expr, digits) -%}round(({{ expr }})::numeric, {{ digits }}){%- endmacro %}
