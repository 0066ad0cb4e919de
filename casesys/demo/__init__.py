"""Demo data (`flask --app wsgi demo-data`, not in production): offices,
users and cases of every kind and state, with their procedure, mediations,
referrals, documents, credit records and publications. It sits above every
feature and nothing imports it but the command line."""
