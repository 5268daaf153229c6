#!/bin/bash
# lab scenario 'tls-handshake' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test tls-handshake
