#!/bin/bash
# lab scenario 'host-listen-overflow' on real namespaces: rstscope host reports its finding and no other, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test host-listen-overflow
