# tls-handshake: HAProxy terminates TLS 1.3 only and, with "option
# nolinger" (a common setting against FIN_WAIT/TIME_WAIT piles), aborts
# failed connections; a client that offers at most TLS 1.2 fails the
# handshake and is reset.
DESC="HAProxy requires TLS 1.3; a TLS 1.2 client's handshake is reset"
CAUSE=tls
EXPECT_TOP=tls
EXPECT_RSTS=('.src == "10.99.2.2" and .kind != "after-rst"|established,handshake,after-fin|server|genuine|1'
	     '.src == "10.99.2.2" and .kind == "after-rst"|after-rst|server|genuine|0')

scenario() {
	lab_param TRIES "$(lab_pick 1 3)"
	local i
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=lab.test -keyout "$STATE/key.pem" -out "$STATE/cert.pem" 2>/dev/null || return 1
	cat "$STATE/cert.pem" "$STATE/key.pem" >"$STATE/site.pem"
	lab_haproxy "$NS_S" haproxy "global
	log stderr format short local0 info
defaults
	mode http
	log global
	timeout connect 2s
	timeout client 10s
	timeout server 10s
	option nolinger
frontend tls
	bind :443 ssl crt $STATE/site.pem ssl-min-ver TLSv1.3
	http-request return status 200 content-type text/plain string ok"
	lab_wait_port "$NS_S" 0 443
	for ((i = 1; i <= TRIES; i++)); do
		lab_nsx "$NS_C" timeout 5 openssl s_client -connect 10.99.2.2:443 -tls1_2 -servername lab.test \
			</dev/null >"$OUT/tls12-$i.txt" 2>&1
		lab_log "TLS 1.2 client $i: $(grep -m1 -oE 'errno=[0-9]+|alert [a-z ]+|Connection reset by peer|handshake failure' "$OUT/tls12-$i.txt" || echo 'see tls12-'$i'.txt')"
		sleep 0.2
	done
	return 0
}
