// The network guard through real Chromium: every trick in the table is refused by the proxy and no
// request reaches a private server. The "public" side is loopback made to look public by a test DNS.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { BlockedTargetError } from '../../core/errors.ts'
import type { PageCapture } from '../../core/types.ts'
import { launchBrowser, parseResolveRule, type BrowserSession } from '../../crawler/index.ts'
import type { CrawlOptions } from '../../crawler/options.ts'
import { startNetGuard, type Refusal } from '../../crawler/proxy/index.ts'
import { startTestDns, type TestDns } from '../../fixtures/dns.ts'
import {
  fill,
  SCHEME_TRICKS,
  TARGETS,
  VECTORS,
  VISIT_TRICKS,
  type Vector,
} from '../../fixtures/net-tricks.ts'

const PUBLIC_IP = '11.22.33.44'
let P = 0
let Q = 0
const hits: string[] = []
const servers: http.Server[] = []
let dns: TestDns

function element(vector: Vector, origin: string, id: string): string {
  const url = `${origin}/hit/${id}-${vector}`
  switch (vector) {
    case 'fetch':
      return `<script>fetch(${JSON.stringify(url)}).catch(() => {})</script>`
    case 'img':
      return `<img src="${url}">`
    case 'iframe-redirect':
      return `<iframe src="/go?to=${encodeURIComponent(url)}"></iframe>`
    case 'websocket':
      return `<script>try { new WebSocket(${JSON.stringify(url.replace(/^http/, 'ws'))}) } catch {}</script>`
    case 'script':
      return `<script src="${url}"></script>`
  }
}

function firePage(): string {
  const parts = TARGETS.flatMap((t) => VECTORS.map((v) => element(v, fill(t.origin, P, Q), t.id)))
  return `<!doctype html><title>public</title>${parts.join('\n')}`
}

function publicSide(req: http.IncomingMessage, res: http.ServerResponse) {
  const u = new URL(req.url ?? '/', 'http://public.test')
  const to = u.searchParams.get('to') ?? '/'
  if (u.pathname.startsWith('/hit/')) {
    hits.push(`${req.headers.host} ${u.pathname}`)
    return res.end('reached')
  }
  if (u.pathname === '/fire')
    return res.writeHead(200, { 'content-type': 'text/html' }).end(firePage())
  if (u.pathname === '/go') return res.writeHead(302, { location: to }).end()
  const chain = /^\/chain\/(\d+)$/.exec(u.pathname)
  if (chain) {
    const n = Number(chain[1])
    const next = n > 0 ? `/chain/${n - 1}?to=${encodeURIComponent(to)}` : to
    return res.writeHead(302, { location: next }).end()
  }
  if (u.pathname === '/nav') {
    const page = `<!doctype html><script>location.href = ${JSON.stringify(to)}</script>`
    return res.writeHead(200, { 'content-type': 'text/html' }).end(page)
  }
  if (u.pathname === '/rebind') {
    const page = `<!doctype html><title>rebind</title><script>fetch('/hit/rebind').catch(() => {})</script>`
    return res.writeHead(200, { 'content-type': 'text/html' }).end(page)
  }
  res.writeHead(404).end()
}

function canary(req: http.IncomingMessage, res: http.ServerResponse) {
  hits.push(`${req.headers.host} ${req.url}`)
  res.end('reached')
}

async function listen(handler: http.RequestListener, host: string, port: number): Promise<number> {
  const server = http.createServer(handler)
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    hits.push(`${req.headers.host} ${req.url} (websocket)`)
    socket.destroy()
  })
  servers.push(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return (server.address() as AddressInfo).port
}

function options(refusals: Refusal[], allowPrivate = false): CrawlOptions {
  return {
    allowPrivate,
    resolve: [parseResolveRule(`public.test:${P}:127.0.0.1`)],
    dnsServers: [dns.server],
    reachVia: { [PUBLIC_IP]: '127.0.0.1' },
    onRefused: (r) => refusals.push(r),
    timeoutMs: 15_000,
  }
}

const refusedTargets = (refusals: Refusal[]) => new Set(refusals.map((r) => r.target))

beforeAll(async () => {
  P = await listen(publicSide, '127.0.0.1', 0)
  await listen(canary, '127.0.0.2', P)
  Q = await listen(canary, '::1', 0)
  dns = await startTestDns({
    'evil.example': ['127.0.0.1'],
    'evil6.example': ['::1'],
    'mixed.example': [PUBLIC_IP, '127.0.0.1'],
    'meta.example': ['169.254.169.254'],
    localhost: ['127.0.0.1'],
    // public for the crawler's own check and the page itself, then the private neighbour
    'rebind.example': (n) => (n < 2 ? [PUBLIC_IP] : ['127.0.0.2']),
  })
})

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  await dns?.close()
})

describe('network guard through Chromium', () => {
  const refusals: Refusal[] = []
  let session: BrowserSession

  beforeAll(async () => {
    session = await launchBrowser(options(refusals))
  })
  afterAll(async () => {
    await session?.close()
  })

  it(`refuses ${TARGETS.length} private targets on ${VECTORS.length} subresource vectors each`, async () => {
    const capture = await session.visit(`http://public.test:${P}/fire`)
    expect(capture.finalUrl).toBe(`http://public.test:${P}/fire`)
    const expected = TARGETS.map((t) => fill(t.refused, P, Q))
    // every target was tried and the guard, not the browser, said no
    await vi.waitFor(
      () => expect([...refusedTargets(refusals)]).toEqual(expect.arrayContaining(expected)),
      {
        timeout: 15_000,
      },
    )
    expect(hits).toEqual([])
  })

  it.each(VISIT_TRICKS)('refuses $id', async (trick) => {
    await session.visit(`http://public.test:${P}${fill(trick.path, P, Q)}`)
    expect(refusedTargets(refusals)).toContain(fill(trick.refused, P, Q))
    expect(hits).toEqual([])
  })

  it('pins the address it checked when a name rebinds to a private one', async () => {
    const capture = await session.visit(`http://rebind.example:${P}/rebind`)
    expect(capture.finalUrl).toBe(`http://rebind.example:${P}/rebind`)
    const refused = refusals.filter((r) => r.target === `rebind.example:${P}`)
    expect(refused[0]?.reason).toMatch(/127\.0\.0\.2, a loopback address/)
    expect(dns.queries.get('rebind.example')).toBeGreaterThanOrEqual(3)
    expect(hits).toEqual([])
  })

  it.each(SCHEME_TRICKS)('stays on the public page when it navigates to %s', async (to) => {
    const from = `http://public.test:${P}/nav?to=${encodeURIComponent(to)}`
    const capture: PageCapture = await session.visit(from)
    expect(capture.finalUrl).toMatch(/^http:\/\/public\.test:/)
    await expect(session.visit(to)).rejects.toThrow(BlockedTargetError)
  })
})

/** Opens a CONNECT tunnel through the proxy and sends one GET; returns what came back. */
async function throughTunnel(proxyPort: number, authority: string): Promise<string> {
  const socket = net.connect(proxyPort, '127.0.0.1')
  let text = ''
  socket.on('data', (d: Buffer) => {
    text += d.toString()
    if (text.startsWith('HTTP/1.1 200 Connection Established\r\n\r\n') && !text.includes('GET'))
      socket.write(`GET /hit/tunnel HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`)
  })
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`)
  await new Promise((r) => socket.on('close', r))
  return text
}

describe('the proxy on its own', () => {
  it('tunnels to a vouched-for host and refuses a private one before connecting', async () => {
    const refusals: Refusal[] = []
    const guard = await startNetGuard(options(refusals))
    if (guard === undefined) throw new Error('the guard must be on without allowPrivate')
    try {
      const ok = await throughTunnel(guard.port, `public.test:${P}`)
      expect(ok).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200/)
      expect(hits.splice(0)).toEqual([`public.test:${P} /hit/tunnel`])
      const refused = await throughTunnel(guard.port, `[::ffff:127.0.0.2]:${P}`)
      expect(refused).toMatch(/^HTTP\/1\.1 403 Forbidden/)
      expect(refusals.map((r) => r.target)).toEqual([`::ffff:7f00:2:${P}`])
      expect(hits).toEqual([])
    } finally {
      await guard.close()
    }
  })
})

describe('without the guard', () => {
  it('the same page reaches the private servers, so the table can see an escape', async () => {
    const session = await launchBrowser(options([], true))
    try {
      await session.visit(`http://public.test:${P}/fire`)
      await vi.waitFor(() => expect(hits.length).toBeGreaterThan(0), { timeout: 15_000 })
    } finally {
      await session.close()
      hits.length = 0
    }
  })
})
