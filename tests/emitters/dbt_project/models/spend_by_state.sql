select state, count(*) as customers, sum(amount) as total_amount
from {{ ref('customers') }}
group by state
