#!/bin/bash
# lab scenario 'host-quiet' on real namespaces: rstscope host reports its finding and no other, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test host-quiet
