-- Accounts, as FastAPI-Users stores them (filled by the users issue).
CREATE TABLE "user" (
    id               UUID PRIMARY KEY,
    email            VARCHAR(320) NOT NULL UNIQUE,
    username         VARCHAR(255) NULL,
    hashed_password  VARCHAR(1024) NOT NULL,
    is_active        BOOLEAN NOT NULL DEFAULT TRUE,
    is_superuser     BOOLEAN NOT NULL DEFAULT FALSE,
    is_verified      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
