-- 数据质量检查运行: one row per validation stage (raw, marts) of a run (raw.dq_runs).
with

source as (
    select * from {{ source('raw', 'dq_runs') }}
),

renamed as (
    select
        run_id,
        stage,
        started_at
    from source
)

select * from renamed
