# size-limit: nginx as a reverse proxy with client_max_body_size in front
# of the app; large chunked uploads (no Content-Length, so the limit is hit
# while the body flows) are cut at about the same byte count each time.
DESC="nginx proxy body-size limit hit by large chunked uploads, reset mid-body"
CAUSE=size-limit
TOPOLOGY=proxy
EXPECT_TOP=size-limit
EXPECT_RSTS=('.src == "10.99.3.2" and .kind != "after-rst"|established,after-fin|server|genuine|2'
	     '.src == "10.99.3.2" and .kind == "after-rst"|after-rst|server|genuine|0')

scenario() {
	lab_param LIMIT_KB "$(( $(lab_pick 2 6) * 64 ))"
	lab_param UPLOADS "$(lab_pick 2 3)"
	lab_param BODY "$(( $(lab_pick 2 4) * 1024 * 1024 ))"
	local i
	lab_appserver "$NS_S" appserver --port 80
	lab_nginx "$NS_P" nginx "client_max_body_size ${LIMIT_KB}k; lingering_close off;
	server { listen 80; location / { proxy_pass http://10.99.2.2:80; proxy_request_buffering on; } }"
	lab_wait_port "$NS_S" 0 80
	lab_wait_port "$NS_P" 0 80
	for ((i = 1; i <= UPLOADS; i++)); do
		lab_client "upload-$i" --to 10.99.3.2:80 --bind-port $((40000 + i)) chunked:/upload:"$BODY"
	done
	return 0
}
