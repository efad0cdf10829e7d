-- Raw meta_leads as canonical lead columns: every version of every record (dedup is downstream).
with source as (

    select * from {{ raw_or_empty(source('raw', 'meta_leads')) }} as raw_rows

),

final as (

    select
        * exclude (_dlt_load_id, _dlt_id),
        _dlt_load_id as load_id,
        _dlt_id as dlt_row_id
    from source

)

select * from final
