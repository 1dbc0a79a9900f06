-- S7: Contract amounts are not clustered at whole 亿元 (> 50 % of ≥ 5 deals)
select coalesce(_submitting_unit, '（未知单位）') as submitting_unit, coalesce(_submitting_unit, '（未知单位）') as record_key,
       count(*) filter (where contract_amount % 10000 = 0) || ' / ' || count(*) || ' 个签约金额为整亿元' as observed
from cur_investment_contracts
where contract_amount > 0
group by 1
having count(*) >= 5 and count(*) filter (where contract_amount % 10000 = 0) > 0.5 * count(*)
