# probe-proxy-rst: rstscope proxy in front of the server resets connections
# idle longer than a drawn timeout (--idle-action rst): probe must find it
# (10 %), death rst, sent by the peer (the proxy, the target named).
. "$LAB_DIR/probe-lib.sh"
DESC="probe: rstscope proxy resets idle connections after T s"
CAUSE=idle-reap
TOPOLOGY=proxy
# the probe's connections went quiet together and the proxy reset them
# together, each after the same silence: one idle timer, not a crash
EXPECT_TOP=idle-reap
EXPECT_RSTS=('.src == "10.99.3.2"|*|server|genuine|1')

scenario() {
	local bin
	lab_param PROXY_IDLE "$(lab_pick 2 5).$(lab_pick 0 9)"
	lab_param PROBE_MAX "$(lab_probe_max "$PROXY_IDLE" 2.3)"
	lab_param EXPECT_PROBE "$PROXY_IDLE|rst|peer"
	bin=$(lab_rstscope) && [ -n "$bin" ] || lab_die "no rstscope binary for the proxy (set RSTSCOPE)"
	lab_server "$NS_S" server python 80
	lab_spawn "$NS_P" proxy "$bin" proxy --listen 10.99.3.2:80 --upstream 10.99.2.2:80 \
		--idle-timeout "$PROXY_IDLE" --idle-action rst --duration 60 --json-log
	lab_wait_port "$NS_P" 0 80
	lab_probe 10.99.3.2:80 "$PROBE_MAX"
	return 0
}
