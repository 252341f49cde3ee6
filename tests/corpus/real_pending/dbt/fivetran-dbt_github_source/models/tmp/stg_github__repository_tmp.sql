select *
from {{ var('repository') }}
