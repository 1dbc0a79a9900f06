{#- Helpers of the `funds` area (争取资金, 专项债/国债 deadlines, 统计局 investment structure).
    Definitions: docs/metrics/funds.md. Portable SQL only. -#}

{#- A tunable setting of the funds area: `--vars '{funds_at_risk_days: 15}'` overrides it; the defaults live
    here, in one place, so that no threshold or code is a literal scattered through the SQL. -#}
{% macro funds_var(name) -%}
    {%- set defaults = {
        'funds_at_risk_days': 30,
        'funds_bond_fund_type': '地方政府专项债券',
        'funds_treasury_fund_type': '增发国债',
        'funds_project_fund_category': '项目资金',
        'funds_non_project_fund_category': '非项目资金',
        'fai_total_code': 'FAI_TOTAL',
        'fai_derivable_share_codes': ['FAI_PRIVATE', 'FAI_INDUSTRIAL'],
        'fai_derived_indicators': [
            {
                'code': 'FAI_PRIVATE_IN_SOCIAL_SHARE',
                'name_zh': '民间投资在社会资本投资（不含房地产开发）中的占比',
                'numerator': 'FAI_PRIVATE',
                'denominator': 'FAI_SOCIAL_EX_RE',
            },
        ],
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error('funds_var: unknown variable ' ~ name) }}
    {%- endif -%}
    {{ return(var(name, defaults[name])) }}
{%- endmacro %}

{#- numerator / denominator as a fraction, null when the denominator is 0 or null. -#}
{% macro funds_ratio(numerator, denominator) -%}
    case
        when ({{ denominator }}) <> 0
            then cast(({{ numerator }}) * 1.0 / ({{ denominator }}) as decimal(20, 6))
    end
{%- endmacro %}

{#- The natural key of a fund row (project, type, fund year, batch) as one text; batch may be empty. -#}
{% macro funds_row_key(alias) -%}
    {{ alias }}.project_id || '|' || {{ alias }}.fund_type || '|'
        || cast({{ alias }}.fund_year as {{ dbt.type_string() }}) || '|' || coalesce({{ alias }}.batch, '')
{%- endmacro %}

{#- One row per current fund row (latest revision, staging) with:
    - region_code: the project's region in the registry; else the region of the submitting unit (dim_unit,
      only when the unit name is unique to one region); else the first six characters of project_id when
      they are a county/district code (the 非项目资金 rows of a finance office name no registered project).
      region_source says which rule placed the row; rows no rule can place have a null region.
    - the fund-type flags of seeds/dim_fund_type (false for a type missing from the seed);
    - is_free_grant_row (无偿补助资金): the type is a free grant, or the type is not a policy fund (其他 or
      unknown) and the unit classified the row as 项目资金/非项目资金 (transfer payments of a finance
      office); repayable policy funds (专项债, 政策性开发性金融工具) never count;
    - is_project_fund_row: a free-grant row whose fund_category is 项目资金;
    - is_project_row: the row funds a project (every row except those marked 非项目资金, which are transfer
      payments with a pseudo project number): project counts count these rows only;
    - issued_on / received_on: the date the amount counts from; an amount without its date counts from
      31 December of the fund year;
    - spend_base: the amount spending is measured against (issued, else received). -#}
{% macro funds_rows() -%}
    select
        {{ funds_row_key('funds') }} as fund_row_key,
        funds.project_id,
        coalesce(projects.project_name, funds.project_name) as project_name,
        coalesce(projects.region_code, units.region_code, prefixes.region_code) as region_code,
        case
            when projects.region_code is not null then '项目库'
            when units.region_code is not null then '填报单位'
            when prefixes.region_code is not null then '项目编号'
        end as region_source,
        projects.project_id is not null as is_registered_project,
        projects.actual_start_date,
        funds.fund_type,
        funds.fund_year,
        funds.batch,
        funds.fund_category,
        funds.doc_no,
        funds.submitting_unit,
        coalesce(types.is_policy_fund, false) as is_policy_fund,
        coalesce(types.is_central_provincial, false) as is_central_provincial,
        coalesce(types.is_free_grant, false) as is_free_grant,
        coalesce(types.is_bond, false) as is_bond,
        (
            coalesce(types.is_free_grant, false)
            or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
        ) as is_free_grant_row,
        (
            (
                coalesce(types.is_free_grant, false)
                or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
            )
            and coalesce(funds.fund_category = '{{ funds_var("funds_project_fund_category") }}', false)
        ) as is_project_fund_row,
        coalesce(funds.fund_category, '') <> '{{ funds_var("funds_non_project_fund_category") }}' as is_project_row,
        funds.requested_amount,
        funds.issued_amount,
        funds.issued_date,
        case
            when funds.issued_amount is not null
                then coalesce(funds.issued_date, {{ month_end('funds.fund_year', 12) }})
        end as issued_on,
        funds.received_amount,
        funds.received_date,
        case
            when funds.received_amount is not null
                then coalesce(funds.received_date, {{ month_end('funds.fund_year', 12) }})
        end as received_on,
        funds.paid_amount,
        funds.paid_as_of,
        coalesce(funds.issued_amount, funds.received_amount) as spend_base
    from {{ ref('stg_raw__funds') }} as funds
    left join {{ ref('stg_raw__projects') }} as projects
        on funds.project_id = projects.project_id
    left join (
        select unit_name_zh, min(region_code) as region_code
        from {{ ref('dim_unit') }}
        group by unit_name_zh
        having count(distinct region_code) = 1
    ) as units
        on funds.submitting_unit = units.unit_name_zh
    left join (
        select region_code from {{ ref('dim_region') }} where level in ('county', 'district')
    ) as prefixes
        on substr(funds.project_id, 1, 6) = prefixes.region_code
    left join {{ ref('dim_fund_type') }} as types
        on funds.fund_type = types.fund_type
{%- endmacro %}

{#- The cumulative paid amount of every fund row as the units reported it over time (支付进度快照), read
    from the append-only revision history (raw.funds): staging keeps only the latest revision, while a
    quarterly resubmission is the only record of what was paid by an earlier date. One row per fund row
    and paid_as_of (the highest revision wins for the same date; a paid amount without its date counts
    from 31 December of the fund year), valid until the next snapshot (next_paid_as_of, null = still
    current). Join on `paid_as_of <= as_of and (next_paid_as_of is null or next_paid_as_of > as_of)`. -#}
{% macro funds_paid_snapshots() -%}
    select
        fund_row_key,
        paid_as_of,
        paid_amount,
        lead(paid_as_of) over (partition by fund_row_key order by paid_as_of) as next_paid_as_of
    from (
        select
            {{ funds_row_key('history') }} as fund_row_key,
            coalesce(history.paid_as_of, {{ month_end('history.fund_year', 12) }}) as paid_as_of,
            cast(history.paid_amount as decimal(18, 4)) as paid_amount,
            row_number() over (
                partition by
                    history.project_id, history.fund_type, history.fund_year, history.batch,
                    coalesce(history.paid_as_of, {{ month_end('history.fund_year', 12) }})
                order by history._revision desc
            ) as revision_rank
        from {{ source('raw', 'funds') }} as history
        where history.paid_amount is not null
    ) as ranked
    where revision_rank = 1
{%- endmacro %}

{#- What a deadline milestone (free text in seeds/policy_deadlines.csv) measures, by its wording:
    发行 (issued), 开工 (project started), 支付 (paid / used / spent); null = not recognised. -#}
{% macro funds_milestone_kind(milestone) -%}
    case
        when {{ milestone }} like '%发行%' then '发行'
        when {{ milestone }} like '%开工%' then '开工'
        when {{ milestone }} like '%支付%' or {{ milestone }} like '%使用%' or {{ milestone }} like '%支出%'
            then '支付'
    end
{%- endmacro %}

{#- Chinese name of a statistics-bureau indicator code, used only when the release itself has no name. -#}
{% macro fai_indicator_name_fallback(code) -%}
    case {{ code }}
        when 'FAI_TOTAL' then '固定资产投资（不含农户）'
        when 'FAI_MANUF' then '制造业投资'
        when 'FAI_HITECH' then '高技术产业投资'
        when 'FAI_CULTURE_ENT' then '文化和娱乐业投资'
        when 'FAI_RETAIL_WHOLESALE' then '批发和零售业投资'
        when 'FAI_HOSPITALITY' then '住宿和餐饮业投资'
        when 'FAI_INDUSTRIAL' then '产业投资'
        when 'FAI_INDUSTRY_TECH' then '工业和技改投资'
        when 'FAI_PRIVATE' then '民间投资'
        when 'FAI_SOCIAL_EX_RE' then '社会资本投资（不含房地产开发）'
        when 'FAI_STATE_HOLDING' then '国有控股投资'
        when 'FAI_INFRA' then '基础设施投资'
        when 'FAI_REALESTATE' then '房地产开发投资'
        when 'IND_OUTPUT_ABOVE_SCALE' then '规上工业总产值'
        {%- for d in funds_var('fai_derived_indicators') %}
        when '{{ d.code }}' then '{{ d.name_zh }}'
        {%- endfor %}
    end
{%- endmacro %}

{#- Calendar year / month of a date as integers (ANSI EXTRACT: DuckDB, PostgreSQL, Snowflake, BigQuery). -#}
{% macro funds_year_of(date_expr) -%}
    cast(extract(year from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro funds_month_of(date_expr) -%}
    cast(extract(month from {{ date_expr }}) as integer)
{%- endmacro %}
