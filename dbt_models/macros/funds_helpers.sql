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

{#- The natural key of a fund row (project, type, fund year, batch) as one text; batch may be empty. -#}
{% macro funds_row_key(alias) -%}
    {{ alias }}.project_id || '|' || {{ alias }}.fund_type || '|'
        || cast({{ alias }}.fund_year as {{ dbt.type_string() }}) || '|' || coalesce({{ alias }}.batch, '')
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

{#- Whether a paid snapshot of int_fund_paid_snapshots (alias `snapshot`) is the one valid at `as_of`: dated on
    or before it and not yet replaced by the next snapshot. A join condition. -#}
{% macro funds_snapshot_valid_at(snapshot, as_of) -%}
    {{ snapshot }}.paid_as_of <= {{ as_of }}
        and ({{ snapshot }}.next_paid_as_of is null or {{ snapshot }}.next_paid_as_of > {{ as_of }})
{%- endmacro %}
