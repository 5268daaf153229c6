#!/bin/bash
# lab scenario 'probe-conntrack-silent' on real namespaces: rstscope probe from the
# client finds the drawn timeout (10 %), the death and its sender; nothing
# left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test probe-conntrack-silent
