# probe-conntrack-rst: rstscope probe from the client against a server
# behind the box, whose conntrack forgets idle flows after a drawn timeout
# and REJECTs the next segment with an RST in the server's name. probe must
# find the timeout (10 %), death rst and the path as its sender (the RST's
# TTL is the box's, not the server's).
. "$LAB_DIR/probe-lib.sh"
DESC="probe: box conntrack forgets idle flows after T s, RST from the path"
CAUSE=middlebox
EXPECT_TOP=middlebox
EXPECT_RSTS=('.src == "10.99.2.2"|established,after-fin|server|forged|1')

scenario() {
	lab_param CT_TIMEOUT "$(lab_pick 2 4)"
	lab_param PROBE_MAX "$(lab_probe_max "$CT_TIMEOUT" 3.5)"
	lab_param EXPECT_PROBE "$CT_TIMEOUT|rst|path"
	lab_server "$NS_S" server python 80
	lab_nsx "$NS_R" sysctl -q -w net.netfilter.nf_conntrack_tcp_loose=0 \
		net.netfilter.nf_conntrack_tcp_timeout_established="$CT_TIMEOUT" || return 1
	lab_nsx "$NS_R" iptables -A FORWARD -m conntrack --ctstate INVALID \
		-p tcp -j REJECT --reject-with tcp-reset || return 1
	lab_probe 10.99.2.2:80 "$PROBE_MAX"
	return 0
}
