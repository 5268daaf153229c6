#!/bin/bash
# lab scenario 'keepalive-unread' on real namespaces:
# the server's keep-alive timer closes with the request unread (node or python). Verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test keepalive-unread
