/* names: the output vocabulary (docs/output.md) and each cause's fix. */
#include "verdict/verdict.h"

const char *const rst_kind_name[KIND__COUNT] = {
	"refused", "handshake", "established", "after-fin", "after-rst", "no-state",
};
const char *const rst_role_name[ROLE__COUNT] = { "client", "server", "unknown" };
const char *const rst_forged_name[FORGED__COUNT] = { "genuine", "forged", "unknown" };
const char *const rst_shape_name[SHAPE__COUNT] = {
	"idle-then-reset", "mid-transfer", "after-close", "at-handshake", "other",
};
const char *const rst_cause_name[CAUSE__COUNT] = {
	"idle-reap", "peer-restart", "unread-close", "middlebox", "overload", "refused",
	"size-limit", "tls", "deliberate-abort", "loss-mtu", "unknown",
};
const char *const tls_stage_name[TLS__COUNT] = {
	"none", "client-hello", "server-hello", "established",
};

const char *const rst_kernel_name[RK__COUNT] = {
	"none", "not-local", "sent", "not-sent", "unsure", "received", "not-received",
};

const char *const rst_cause_title[CAUSE__COUNT] = {
	"idle keep-alive connection reaped, then reused",
	"the peer process crashed or restarted with connections open",
	"close with unread data",
	"a middlebox lost its state and reset the connection",
	"resource exhaustion at the server's front door",
	"connection refused",
	"size limit on a large payload",
	"TLS handshake failure",
	"deliberate abort",
	"packet loss or path MTU problem",
	"no cause singled out",
};

const char *const rst_cause_fix[CAUSE__COUNT] = {
	"make the client pool's idle timeout the smallest of the chain (client < load balancer "
	"< server keep-alive); validate pooled connections or send TCP keepalives below it; "
	"retry idempotent requests once on a reused connection, never blindly a POST",
	"find the crash (OOM kills, restarts); shut down gracefully on SIGTERM (stop accepting, "
	"drain in-flight requests, then close); give the process memory headroom",
	"drain the request before closing (lingering close); clients read the response on "
	"error paths and send 'Expect: 100-continue' for large uploads",
	"send TCP keepalives or application pings below the box's idle timeout; raise its "
	"timeout or table size where you own it",
	"raise capacity, the listen backlog (somaxconn) or fd limits; fix fd or CLOSE_WAIT leaks",
	"connect to the right port, start the listener, or fix the firewall rule",
	"raise the proxy's body limit, stream large bodies, use 'Expect: 100-continue'",
	"align TLS versions and ciphers (and certificates, SNI); disable renegotiation",
	"none needed if intended: SO_LINGER 0 closes and keepalive timeouts reset on purpose",
	"fix the path MTU (clamp MSS at tunnels, allow ICMP fragmentation-needed)",
	"capture at both ends and use 'rstscope watch' for the kernel's own reason",
};
