#!/bin/sh
# Patroni's post_bootstrap: runs once on the member that initialised the cluster, with a connection
# URL as $1. The application's database (the superuser, papyrus, exists already).
set -eu
psql -v ON_ERROR_STOP=1 "$1" -c "CREATE DATABASE papyrus OWNER papyrus"
