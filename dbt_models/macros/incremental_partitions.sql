{#- Incremental models rebuilt by partition (issue 15): a partition is a (region_code, year) or a (project_id, year)
    of a model. Progress is cumulative within a year only, so new or corrected data changes the partitions of its
    year; every other partition keeps its rows.

    Which partitions to rebuild is not guessed from which input changed. Each such model M has a fingerprint
    model (int_inputs__*: one row per partition, an order-independent sum of a hash of every row of every input
    of M that lands in the partition, plus a hash of M's whole-table inputs such as seeds). After M is built, its
    post-hook keeps the fingerprints it was built from in `<fingerprint schema>.<M>__built_from`. The next build
    rebuilds exactly the partitions whose fingerprint differs from the kept one, or that are new, or gone, or all
    of them when M's SQL changed or nothing was kept: the pre-hook deletes them and M inserts their rows (strategy
    `append`). A failed or skipped M keeps the old fingerprints, so it catches up at the next build.
    `--full-refresh` rebuilds everything. On Spark (parquet tables, no delete) M stays a table and the hooks do
    nothing. On PostgreSQL the published marts schema is renamed at publish, so a mart finds no previous build
    there and is built whole (still correct); intermediate models are incremental on both engines. -#}

{#- Materialisation of a partitioned model: incremental where the engine can delete rows. -#}
{% macro partitioned_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- The config of a partitioned model, in the model: `{{ config(**partitioned_config('int_inputs__x', keys)) }}`,
    `inputs_model` naming its fingerprint model and `keys` its partition columns. The hooks are strings rendered
    when the model runs (`this`, `is_incremental()` and the kept fingerprints are only known then); dbt learns the
    dependency on the fingerprint model from the model's own `ref()` of it. -#}
{% macro partitioned_config(inputs_model, keys) -%}
    {%- set inputs = "ref('" ~ inputs_model ~ "')" -%}
    {{ return({
        'materialized': partitioned_materialization(),
        'incremental_strategy': 'append',
        'on_schema_change': 'sync_all_columns',
        'pre_hook': '{{ delete_changed_partitions(' ~ inputs ~ ', ' ~ keys ~ ') }}',
        'post_hook': ['{{ drop_built_from(' ~ inputs ~ ') }}', '{{ keep_built_from(' ~ inputs ~ ') }}'],
    }) }}
{%- endmacro %}

{#- The hash of a whole row (`alias`: a table or CTE name) as an exact number; summed per partition, it changes
    when any row is added, removed or changed. -#}
{% macro row_hash(alias) -%}
    {{ return(adapter.dispatch('row_hash', 'xmdw')(alias)) }}
{%- endmacro %}

{% macro default__row_hash(alias) -%}
    cast(hash({{ alias }}) as decimal(38, 0))
{%- endmacro %}

{% macro postgres__row_hash(alias) -%}
    cast(hashtextextended(cast({{ alias }} as text), 0) as decimal(38, 0))
{%- endmacro %}

{#- Spark builds partitioned models as tables and never reads their fingerprints. -#}
{% macro spark__row_hash(alias) -%}
    cast(0 as decimal(38, 0))
{%- endmacro %}

{#- Where the model being built keeps the fingerprints it was built from: next to its fingerprint model. -#}
{% macro built_from_relation(inputs) -%}
    {{ return(inputs.incorporate(path={'identifier': this.identifier ~ '__built_from'})) }}
{%- endmacro %}

{#- A version of the model's own SQL and of the variables given on the command line (`--vars`, e.g. a 蜗牛
    threshold): either changed rebuilds every partition. A changed macro or dbt_project.yml variable is not
    seen here: rebuild with `--full-refresh` after one. -#}
{% macro model_code_version() -%}
    '{{ local_md5(model.raw_code ~ (invocation_args_dict.get('vars') or '') | string) }}'
{%- endmacro %}

{#- The partitions (`keys` of the fingerprint model `inputs`) to rebuild: fingerprint changed, new, or gone; all
    of them when nothing was kept or the model's SQL changed. -#}
{% macro changed_partitions(inputs, keys) -%}
    {%- set built = built_from_relation(inputs) -%}
    {%- if load_relation(built) is none -%}
        select {{ keys | join(', ') }} from {{ inputs }}
    {%- else -%}
        select {% for k in keys %}now.{{ k }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ inputs }} as now
        where not exists (
            select 1 from {{ built }} as was
            where {% for k in keys %}was.{{ k }} = now.{{ k }} and {% endfor -%}
                was.fingerprint = now.fingerprint and was.model_code = {{ model_code_version() }}
        )
        union
        select {% for k in keys %}was.{{ k }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ built }} as was
        where not exists (
            select 1 from {{ inputs }} as now
            where {% for k in keys %}now.{{ k }} = was.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- The row whose partition columns are `columns` (expressions, in the order of `keys`) belongs to a partition to
    rebuild: the condition on the model's first CTEs in incremental runs. -#}
{% macro in_changed_partitions(inputs, keys, columns) -%}
    exists (
        select 1 from ({{ changed_partitions(inputs, keys) }}) as changed
        where {% for k in keys %}changed.{{ k }} = {{ columns[loop.index0] }}{{ ' and ' if not loop.last }}{% endfor %}
    )
{%- endmacro %}

{#- pre-hook: delete the rows of the partitions to rebuild (all rows when nothing was kept). -#}
{% macro delete_changed_partitions(inputs, keys) -%}
    {%- if is_incremental() and target.type != 'spark' -%}
        {%- if load_relation(built_from_relation(inputs)) is none -%}
            delete from {{ this }}
        {%- else -%}
            {%- set columns = [] -%}
            {%- for k in keys %}{% do columns.append('target_rows.' ~ k) %}{% endfor %}
            delete from {{ this }} as target_rows where {{ in_changed_partitions(inputs, keys, columns) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- post-hooks: keep the fingerprints the model was just built from (two statements: drop, then create). -#}
{% macro drop_built_from(inputs) -%}
    {%- if target.type != 'spark' -%}drop table if exists {{ built_from_relation(inputs) }}{%- endif -%}
{%- endmacro %}

{% macro keep_built_from(inputs) -%}
    {%- if target.type != 'spark' -%}
        create table {{ built_from_relation(inputs) }} as
        select inputs.*, {{ model_code_version() }} as model_code from {{ inputs }} as inputs
    {%- endif -%}
{%- endmacro %}
