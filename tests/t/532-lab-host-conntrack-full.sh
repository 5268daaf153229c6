#!/bin/bash
# lab scenario 'host-conntrack-full' on real namespaces: rstscope host reports its finding and no other, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test host-conntrack-full
