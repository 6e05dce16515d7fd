// Local peers for contact discovery: fixture shops over HTTP, a DNS server, an RDAP server.
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import dns2 from 'dns2'
import { ROOT } from './cli.ts'

const TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/rdap+json',
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Serves `dir` (index.html at /); anything else is a 404. */
export async function serveDir(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const root = path.resolve(dir)
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname
    const file = path.join(root, pathname === '/' ? 'index.html' : pathname)
    if (!file.startsWith(root)) return void res.writeHead(404).end()
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'text/plain' })
        res.end(body)
      },
      () => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>not found</h1>'),
    )
  })
  const url = await listen(server)
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

/** RDAP answers from fixtures/notifier/rdap/: `/domain/x` → domain-x.json, `/ip/a` → ip-a.json. */
export async function serveRdap(): Promise<{ url: string; close: () => Promise<void> }> {
  const dir = path.join(ROOT, 'fixtures/notifier/rdap')
  const server = http.createServer((req, res) => {
    const m = /^\/(domain|ip)\/([\w.:-]+)$/.exec(req.url ?? '')
    if (!m) return void res.writeHead(400).end()
    readFile(path.join(dir, `${m[1]}-${m[2]}.json`)).then(
      (body) => res.writeHead(200, { 'content-type': TYPES['.json'] }).end(body),
      () => res.writeHead(404, { 'content-type': TYPES['.json'] }).end('{"errorCode":404}'),
    )
  })
  const url = await listen(server)
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

export interface Zone {
  mx?: Record<string, string>
  a?: Record<string, string>
}

type Answer = dns2.Packet.Resource
// dns2's types want a class instance; its encoder reads plain objects
const record = (fields: Record<string, unknown>) => fields as unknown as Answer

/** A DNS server on loopback UDP answering MX and A from `zone`; other names are NXDOMAIN. */
export async function serveDns(
  zone: Zone,
): Promise<{ server: string; close: () => Promise<void> }> {
  const { Packet } = dns2
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request)
      const q = request.questions[0]
      const name = (q?.name ?? '').toLowerCase()
      const known = name in (zone.mx ?? {}) || name in (zone.a ?? {})
      if (q?.type === Packet.TYPE.MX && zone.mx?.[name]) {
        response.answers.push(
          record({
            name,
            type: Packet.TYPE.MX,
            class: Packet.CLASS.IN,
            ttl: 60,
            exchange: zone.mx[name],
            priority: 10,
          }),
        )
      } else if (q?.type === Packet.TYPE.A && zone.a?.[name]) {
        response.answers.push(
          record({
            name,
            type: Packet.TYPE.A,
            class: Packet.CLASS.IN,
            ttl: 60,
            address: zone.a[name],
          }),
        )
      } else if (!known) {
        response.header.rcode = 3 // NXDOMAIN
      }
      void send(response)
    },
  })
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } })
  const port = server.addresses().udp?.port
  return { server: `127.0.0.1:${port}`, close: () => server.close() }
}
