#!/usr/bin/env bash
# The streaming replica of docker-compose.yml's `scale` profile: a first start copies the primary with
# pg_basebackup -R (standby.signal + primary_conninfo), every start then runs PostgreSQL as a hot standby.
# Runs as the postgres user; PRIMARY_HOST, PRIMARY_USER and PGPASSWORD come from the compose file.
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
: "${PRIMARY_PORT:=5432}"
: "${SLOT:=hailong_replica}"
copied="$PGDATA/.hailong-replica-copied"

if [ ! -f "$copied" ]; then
  until pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -q; do sleep 1; done
  # A copy cut short (the container stopped during it) is started again from nothing.
  find "$PGDATA" -mindepth 1 -delete
  # A slot keeps on the primary the WAL this replica has not received yet (a busy primary otherwise recycles what a
  # new replica needs before it streams). A slot left by an earlier copy is dropped first.
  psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -d postgres -Atqc \
    "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '$SLOT' and not active" >/dev/null
  pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -D "$PGDATA" -R -X stream -c fast -C -S "$SLOT"
  chmod 700 "$PGDATA"
  touch "$copied"
fi

# hot_standby_feedback: a long figure read on the replica is not cancelled by the primary's vacuum.
exec postgres -c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=30s
