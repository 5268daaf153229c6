#!/bin/bash
# lab scenario 'restart-no-drain' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test restart-no-drain
