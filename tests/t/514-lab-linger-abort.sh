#!/bin/bash
# lab scenario 'linger-abort' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test linger-abort
