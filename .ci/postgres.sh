# A throwaway PostgreSQL server on 127.0.0.1 for the scenario store tests (sourced by .ci/run).
#
#   source .ci/postgres.sh && start_test_postgres && trap stop_test_postgres EXIT
#
# start_test_postgres installs Debian's postgresql when it is missing, creates a cluster in a new temporary
# directory (owned by the postgres user when run as root, as CI is), starts it on a free port of 127.0.0.1 with
# password authentication, creates the database regiekaart_test and exports REGIEKAART_TEST_POSTGRES_URL.
# stop_test_postgres stops the server and removes the directory.

_as_postgres() {
    # From inside the cluster's directory: the postgres user may not be allowed into the current one.
    if [ "$(id -u)" = 0 ]; then
        (cd "$REGIEKAART_PG_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$REGIEKAART_PG_DIR" && "$@")
    fi
}

start_test_postgres() {
    if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql >/dev/null
    fi
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    REGIEKAART_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/regiekaart-pg.XXXXXX")
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$REGIEKAART_PG_DIR"
    fi
    local port password
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    _as_postgres bash -c "umask 077 && printf '%s\n' '$password' > '$REGIEKAART_PG_DIR/password'"
    _as_postgres "$bin/initdb" -D "$REGIEKAART_PG_DIR/data" -U regiekaart --pwfile="$REGIEKAART_PG_DIR/password" \
        --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >/dev/null
    _as_postgres "$bin/pg_ctl" -D "$REGIEKAART_PG_DIR/data" -l "$REGIEKAART_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $REGIEKAART_PG_DIR" start >/dev/null
    REGIEKAART_PG_BIN=$bin
    PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U regiekaart regiekaart_test
    export REGIEKAART_PG_DIR REGIEKAART_PG_BIN
    export REGIEKAART_TEST_POSTGRES_URL="postgresql+psycopg://regiekaart:$password@127.0.0.1:$port/regiekaart_test"
    echo "+ PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (database regiekaart_test)"
}

stop_test_postgres() {
    if [ -n "${REGIEKAART_PG_DIR:-}" ] && [ -d "$REGIEKAART_PG_DIR/data" ]; then
        _as_postgres "$REGIEKAART_PG_BIN/pg_ctl" -D "$REGIEKAART_PG_DIR/data" -m fast -w stop >/dev/null || true
    fi
    if [ -n "${REGIEKAART_PG_DIR:-}" ]; then
        rm -rf "$REGIEKAART_PG_DIR"
    fi
}
