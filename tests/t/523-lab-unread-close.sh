#!/bin/bash
# lab scenario 'unread-close' on real namespaces: verdict as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test unread-close
