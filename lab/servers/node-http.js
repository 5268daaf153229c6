#!/usr/bin/env node
// node-http: the lab's Node.js http server (node 18 and 20: only the http
// module). Answers every path with 200 and a short body, keeps connections
// alive for --keepalive-ms (server.keepAliveTimeout: the socket is
// destroyed when it fires, a FIN when nothing is unread, an RST when a
// request waits unread in the kernel).
//
// usage: node-http.js --port N [--port N ...] [--keepalive-ms MS]
//                     [--stall-lead-ms L --stall-ms D] [--duration S]
//   --stall-lead-ms L --stall-ms D: after each response, L ms before the
//     keep-alive timer expires, a setTimeout schedules a setImmediate that
//     busy-waits D ms (D > L), as a loaded server's event loop stalls. A
//     request arriving during the stall is ACKed by the kernel but not read:
//     libuv runs the expired keep-alive timer before it polls the socket
//     again (libuv >= 1.45 runs timers right after the check phase; 1.44 at
//     the start of the next iteration; both before the next poll), so the
//     socket is destroyed with the request unread: TCP_ABORT_ON_CLOSE.
//   --duration S: exit after S seconds (default 120).
'use strict';
const http = require('http');

const opt = { ports: [], keepaliveMs: 5000, leadMs: 0, stallMs: 0, duration: 120 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const v = Number(argv[i + 1]);
  switch (argv[i]) {
    case '--port': opt.ports.push(v); i++; break;
    case '--keepalive-ms': opt.keepaliveMs = v; i++; break;
    case '--stall-lead-ms': opt.leadMs = v; i++; break;
    case '--stall-ms': opt.stallMs = v; i++; break;
    case '--duration': opt.duration = v; i++; break;
    default:
      console.error(`node-http: unknown option '${argv[i]}'`);
      process.exit(2);
  }
}
if (opt.ports.length === 0 || opt.ports.some((p) => !(p > 0 && p < 65536))) {
  console.error('node-http: --port N is required');
  process.exit(2);
}

const t0 = Date.now();
const say = (msg) => console.log(`t=${((Date.now() - t0) / 1000).toFixed(3)} ${msg}`);

function busyWait(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* the stall */ }
}

function handler(req, res) {
  const body = req.url === '/health' ? 'ok\n' : 'hello from node\n';
  req.resume(); // drain any body
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  const sock = req.socket;
  res.on('finish', () => {
    // the server armed the keep-alive timer before this listener runs
    say(`response ${req.method} ${req.url} to port ${sock.remotePort}, socket timer ${sock.timeout} ms`);
    if (opt.stallMs > 0) {
      clearTimeout(sock.labStall);
      sock.labStall = setTimeout(() => setImmediate(() => {
        say(`stall ${opt.stallMs} ms (port ${sock.remotePort})`);
        busyWait(opt.stallMs);
        say('stall over');
      }), Math.max(0, opt.keepaliveMs - opt.leadMs));
    }
  });
}

// Newer node (20.x since the backport, 24) arms the socket's timer
// HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER ms after server.keepAliveTimeout;
// node 18 has no such buffer. --keepalive-ms is the timer on the wire.
function keepAliveBuffer() {
  try {
    const src = process.binding('natives')._http_server || '';
    const m = /HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER\s*=\s*([0-9_]+)/.exec(src);
    return m ? Number(m[1].replace(/_/g, '')) : 0;
  } catch (e) {
    return 0;
  }
}
const buffer = keepAliveBuffer();
if (opt.keepaliveMs <= buffer) {
  console.error(`node-http: --keepalive-ms must exceed node's keep-alive buffer (${buffer} ms)`);
  process.exit(2);
}

for (const port of opt.ports) {
  const server = http.createServer(handler);
  server.keepAliveTimeout = opt.keepaliveMs - buffer;
  server.headersTimeout = Math.max(60000, opt.keepaliveMs + 1000);
  server.on('connection', (sock) => {
    const peer = sock.remotePort;
    sock.on('close', () => {
      clearTimeout(sock.labStall);
      say(`closed port ${peer}`);
    });
  });
  server.listen(port, '0.0.0.0', () => say(`listening on ${port} (node ${process.version}, libuv ${process.versions.uv}) ` +
    `keepAliveTimeout ${server.keepAliveTimeout} ms + buffer ${buffer} ms`));
}
setTimeout(() => process.exit(0), opt.duration * 1000).unref();
setInterval(() => {}, 1 << 30); // alive until --duration or a signal
process.on('SIGTERM', () => process.exit(0));
