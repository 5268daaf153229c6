/* kind: what the RST answers (refused, handshake, established, after a FIN,
 * after another RST, or a flow seen only from the RST). */
#include "detect/detect.h"

static void kind_on_rst(const struct detect_env *env, struct pending_rst *p, struct flow *f,
			const struct tcp_view *v)
{
	const struct flow_dir *s = &f->d[p->sdir], *r = &f->d[!p->sdir];

	(void)env;
	(void)v;
	if (p->flow_created)
		p->v.kind = KIND_NO_STATE;
	else if (f->rsts > 0)
		p->v.kind = KIND_AFTER_RST;
	/* an RST answering a SYN: its sender had sent nothing on the flow and
	 * the receiver nothing but SYNs (RFC 9293 3.10.7.1, CLOSED state) */
	else if (r->syn && !r->synack && !s->pkts && !r->bytes)
		p->v.kind = KIND_REFUSED;
	else if (s->fin || r->fin)
		p->v.kind = KIND_AFTER_FIN;
	else if (f->state < FS_ESTABLISHED)
		p->v.kind = KIND_HANDSHAKE;
	else
		p->v.kind = KIND_ESTABLISHED;
}

const struct detector detect_kind = { "kind", NULL, kind_on_rst, NULL };
