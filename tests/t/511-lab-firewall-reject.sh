#!/bin/bash
# lab scenario 'firewall-reject' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test firewall-reject
