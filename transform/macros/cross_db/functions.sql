{#- on-run-start: the warehouse functions the cross_db macros call on PostgreSQL. DuckDB has
    them built in (nothing to create). Each statement is idempotent (create ... if not exists /
    create or replace) and lives in the `public` schema, which every leadsync role can use.
    The contrib extensions need CREATE on the database (they are "trusted" since PostgreSQL 13,
    https://www.postgresql.org/docs/15/contrib.html), so the loading role need not be superuser. -#}
{% macro create_cross_db_functions() -%}
    {{ return(adapter.dispatch('create_cross_db_functions', 'leadsync')()) }}
{%- endmacro %}

{% macro default__create_cross_db_functions() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_cross_db_functions() -%}
    create extension if not exists unaccent schema public;
    create extension if not exists fuzzystrmatch schema public;
    {%- for type, pg_type in xdb_try_cast_types().items() %}
    create or replace function public.leadsync_try_{{ type }}(v text) returns {{ pg_type }}
    language plpgsql immutable as $leadsync$
    begin
        return v::{{ pg_type }};
    exception when others then
        return null;
    end $leadsync$;
    {%- endfor %}
    create or replace function public.leadsync_try_to_timestamp(v text, fmt text) returns timestamp
    language plpgsql immutable as $leadsync$
    begin
        return to_timestamp(v, fmt)::timestamp;
    exception when others then
        return null;
    end $leadsync$;
    {#- Optimal string alignment distance (a swap of neighbours is one edit; a substring is
        edited once). DuckDB's damerau_levenshtein gives the same figure unless a transposed
        pair is edited again, which short names practically never are. -#}
    create or replace function public.leadsync_damerau_levenshtein(a text, b text) returns integer
    language plpgsql immutable strict as $leadsync$
    declare
        la int := length(a);
        lb int := length(b);
        prev2 int[];
        prev int[];
        cur int[];
        cost int;
    begin
        if la = 0 then return lb; end if;
        if lb = 0 then return la; end if;
        prev := array_fill(0, array[lb + 1], array[0]);
        for j in 0..lb loop prev[j] := j; end loop;
        prev2 := prev;
        for i in 1..la loop
            cur := array_fill(0, array[lb + 1], array[0]);
            cur[0] := i;
            for j in 1..lb loop
                cost := case when substr(a, i, 1) = substr(b, j, 1) then 0 else 1 end;
                cur[j] := least(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
                if i > 1 and j > 1 and substr(a, i, 1) = substr(b, j - 1, 1)
                   and substr(a, i - 1, 1) = substr(b, j, 1) then
                    cur[j] := least(cur[j], prev2[j - 2] + 1);
                end if;
            end loop;
            prev2 := prev;
            prev := cur;
        end loop;
        return prev[lb];
    end $leadsync$;
    {#- Jaro-Winkler as DuckDB computes it (rapidfuzz's definition): matching window
        max(len)/2 - 1, the Winkler bonus 0.1 per common prefix character (at most 4) applied
        when the Jaro similarity exceeds 0.7; two empty strings are identical (1.0). -#}
    create or replace function public.leadsync_jaro_winkler(a text, b text) returns double precision
    language plpgsql immutable strict as $leadsync$
    declare
        la int := length(a);
        lb int := length(b);
        win int;
        a_hit boolean[];
        b_hit boolean[];
        m int := 0;
        t int := 0;
        k int := 1;
        lo int;
        hi int;
        jaro double precision;
        prefix int := 0;
    begin
        if la = 0 and lb = 0 then return 1.0; end if;
        if la = 0 or lb = 0 then return 0.0; end if;
        win := greatest(greatest(la, lb) / 2 - 1, 0);
        a_hit := array_fill(false, array[la]);
        b_hit := array_fill(false, array[lb]);
        for i in 1..la loop
            lo := greatest(1, i - win);
            hi := least(lb, i + win);
            for j in lo..hi loop
                if not b_hit[j] and substr(a, i, 1) = substr(b, j, 1) then
                    a_hit[i] := true;
                    b_hit[j] := true;
                    m := m + 1;
                    exit;
                end if;
            end loop;
        end loop;
        if m = 0 then return 0.0; end if;
        for i in 1..la loop
            if a_hit[i] then
                while not b_hit[k] loop k := k + 1; end loop;
                if substr(a, i, 1) <> substr(b, k, 1) then t := t + 1; end if;
                k := k + 1;
            end if;
        end loop;
        jaro := (m::double precision / la + m::double precision / lb + (m - t / 2)::double precision / m) / 3;
        if jaro > 0.7 then
            while prefix < least(4, la, lb) and substr(a, prefix + 1, 1) = substr(b, prefix + 1, 1) loop
                prefix := prefix + 1;
            end loop;
            jaro := jaro + prefix * 0.1 * (1 - jaro);
        end if;
        return jaro;
    end $leadsync$
{%- endmacro %}
