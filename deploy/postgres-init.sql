-- One database per service (the claims database is created by POSTGRES_DB).
CREATE DATABASE claimflow_sampling OWNER claimflow;
CREATE DATABASE claimflow_payments OWNER claimflow;
CREATE DATABASE claimflow_notify OWNER claimflow;
CREATE DATABASE claimflow_gateway OWNER claimflow;
