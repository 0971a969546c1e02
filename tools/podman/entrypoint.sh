#!/bin/sh
# Entrypoint of the locally built PostgreSQL image (localhost/rda-postgres).
#
# It honours the variables of the official postgres image that testcontainers sets:
# POSTGRES_USER (default postgres), POSTGRES_PASSWORD, POSTGRES_DB (default: the user) and
# POSTGRES_HOST_AUTH_METHOD. The first start initialises the cluster (password auth over TCP,
# from any address, since clients come in through the engine's port mapping), creates the
# database in single-user mode (no temporary server to start and stop), then replaces itself
# with the server. Durability is off: every database in it is throwaway.
set -eu

PGDATA=/var/lib/postgresql/data
export PGDATA
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-}"
AUTH="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

as_postgres() {
    su postgres -s /bin/sh -c "$1"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "$POSTGRES_PASSWORD" ] && [ "$AUTH" != trust ]; then
        echo "entrypoint: set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
        exit 1
    fi
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    chown postgres "$pwfile"
    export POSTGRES_USER pwfile AUTH
    as_postgres 'initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
        --auth-host="$AUTH" --auth-local=trust -E UTF8 --no-locale --no-sync' > /dev/null
    rm -f "$pwfile"
    echo "host all all all $AUTH" >> "$PGDATA/pg_hba.conf"
    if [ "$POSTGRES_DB" != postgres ]; then
        quoted=$(printf '%s' "$POSTGRES_DB" | sed 's/"/""/g')
        echo "CREATE DATABASE \"$quoted\"" \
            | as_postgres 'postgres --single -D "$PGDATA" -c fsync=off postgres' > /dev/null
    fi
fi

exec su postgres -s /bin/sh -c 'exec postgres -D "$PGDATA" -c listen_addresses="*" \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
