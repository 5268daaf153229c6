# probe-conntrack-silent: as probe-conntrack-rst, but the box DROPs the
# segments of forgotten flows: probe must find the timeout (10 %) and death
# silent (nothing acknowledges the byte; TCP_USER_TIMEOUT ends it).
. "$LAB_DIR/probe-lib.sh"
DESC="probe: box conntrack forgets idle flows after T s and drops: silent"
CAUSE=middlebox
EXPECT_TOP=none
EXPECT_EXIT=0
EXPECT_RSTS=()

scenario() {
	lab_param CT_TIMEOUT "$(lab_pick 2 4)"
	lab_param PROBE_MAX "$(lab_probe_max "$CT_TIMEOUT" 3.5)"
	lab_param EXPECT_PROBE "$CT_TIMEOUT|silent|unknown"
	lab_server "$NS_S" server python 80
	lab_nsx "$NS_R" sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0 \
		net.netfilter.nf_conntrack_tcp_timeout_established="$CT_TIMEOUT" || return 1
	lab_nsx "$NS_R" iptables -A FORWARD -m conntrack --ctstate INVALID -p tcp -j DROP || return 1
	lab_probe 10.99.2.2:80 "$PROBE_MAX"
	return 0
}
