// The network guard's forward proxy: Chromium is forced through it, and it connects only to
// addresses it has checked itself (HTTP requests, CONNECT tunnels for HTTPS and WebSockets).
import http from 'node:http'
import net from 'node:net'
import type { Duplex } from 'node:stream'
import { BlockedTargetError } from '../../core/errors.ts'
import { canonicalHost, pinTarget, type GuardPolicy, type Pinned } from './check.ts'

export interface Refusal {
  target: string
  reason: string
}

export interface GuardProxy {
  port: number
  /** refusals so far, oldest first (bounded) */
  refusals: Refusal[]
  close(): Promise<void>
}

export interface ProxyOptions extends GuardPolicy {
  onRefused?: ((r: Refusal) => void) | undefined
}

const MAX_REFUSALS = 1000
const IDLE_MS = 60_000
const HOP_HEADERS = ['proxy-connection', 'proxy-authorization', 'keep-alive']

/** Splits 'host:port' / '[v6]:port' from a CONNECT line. */
function splitAuthority(authority: string): { host: string; port: number } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(authority)
  return { host: m?.[1] ?? authority, port: Number(m?.[2] ?? 443) }
}

export async function startGuardProxy(opts: ProxyOptions): Promise<GuardProxy> {
  const refusals: Refusal[] = []
  const sockets = new Set<Duplex>()
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

  const track = (s: Duplex) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => s.destroy())
  }

  async function pin(host: string, port: number): Promise<Pinned | Refusal> {
    try {
      return await pinTarget(host, port, opts)
    } catch (err) {
      const reason = err instanceof BlockedTargetError ? err.message : String(err)
      const r = { target: `${canonicalHost(host)}:${port}`, reason }
      if (refusals.length < MAX_REFUSALS) refusals.push(r)
      opts.onRefused?.(r)
      return r
    }
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    let url: URL
    try {
      url = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('skimwatch network guard: a proxy request needs an absolute URL')
      return
    }
    if (url.protocol !== 'http:') {
      res.writeHead(403).end(`skimwatch network guard: ${url.protocol} is not proxied`)
      return
    }
    const target = await pin(url.hostname, Number(url.port || 80))
    if (!('address' in target)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(target.reason)
      return
    }
    const headers = { ...req.headers }
    for (const h of HOP_HEADERS) delete headers[h]
    const upstream = http.request({
      host: target.dial,
      port: target.port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
      agent,
    })
    upstream.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, up.rawHeaders)
      up.pipe(res)
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end('skimwatch network guard: upstream failed')
      else res.destroy()
    })
    req.pipe(upstream)
  }

  /** CONNECT tunnels and upgrade requests: both end in a raw socket to the pinned address. */
  async function tunnel(
    client: Duplex,
    host: string,
    port: number,
    head: Buffer,
    preface?: Buffer,
  ) {
    track(client)
    const target = await pin(host, port)
    if (!('address' in target)) {
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`)
      return
    }
    const upstream = net.connect({ host: target.dial, port: target.port })
    track(upstream)
    upstream.setTimeout(IDLE_MS, () => upstream.destroy())
    upstream.on('connect', () => {
      if (preface === undefined) client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      else upstream.write(preface)
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')
    })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  }

  const server = http.createServer((req, res) => void onRequest(req, res))
  server.on('connection', (s: net.Socket) => track(s))
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const { host, port } = splitAuthority(req.url ?? '')
    void tunnel(client, host, port, head)
  })
  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    let url: URL
    try {
      url = new URL((req.url ?? '').replace(/^ws/, 'http'))
    } catch {
      client.destroy()
      return
    }
    const lines = [`${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`]
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] ?? ''
      if (!HOP_HEADERS.includes(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1]}`)
    }
    const preface = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)
    void tunnel(client, url.hostname, Number(url.port || 80), head, preface)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    refusals,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()))
      for (const s of sockets) s.destroy()
      agent.destroy()
      await closed
    },
  }
}
