#!/bin/bash
# lab scenario 'proxy-idle-reap' (rstscope proxy's idle timeout with rst) on
# real namespaces: verdict and watch's joins as expected, nothing left behind.
. "$ROOT/tests/lab/common.sh"
lab_scenario_test proxy-idle-reap
