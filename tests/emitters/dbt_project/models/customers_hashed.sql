select id, sha256(ssn) as ssn_hash, email, state from {{ ref('customers') }}
