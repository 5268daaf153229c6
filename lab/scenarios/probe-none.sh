# probe-none: nothing on the path reaps idle connections within --max
# (drawn 3-6 s): probe must say death none, no timeout, exit 0.
. "$LAB_DIR/probe-lib.sh"
DESC="probe: nothing reaps within --max: death none"
CAUSE=none
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_RSTS=()

scenario() {
	lab_param PROBE_MAX "$(lab_pick 3 6)"
	lab_param EXPECT_PROBE "-|none|unknown"
	lab_server "$NS_S" server python 80
	lab_probe 10.99.2.2:80 "$PROBE_MAX"
	return 0
}
