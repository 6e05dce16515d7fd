// Many fixture shops on one loopback server (routed by Host), a request log, and worker processes.
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { ROOT } from './cli.ts'

export interface LoggedRequest {
  host: string
  worker: string
  start: number
  end: number | null
}

export interface ShopFarm {
  port: number
  hosts: string[]
  urls: string[]
  log: LoggedRequest[]
  events: EventEmitter
  close(): Promise<void>
}

/** `count` shops named `<prefix>-N.test` (or all on one host when `sameHost`), each page served after `delayMs`. */
export async function startShopFarm(opts: {
  count: number
  delayMs: number
  prefix?: string
  sameHost?: string
}): Promise<ShopFarm> {
  const log: LoggedRequest[] = []
  const events = new EventEmitter()
  const server = http.createServer((req, res) => {
    const entry: LoggedRequest = {
      host: (req.headers.host ?? '').replace(/:\d+$/, ''),
      worker: String(req.headers['x-worker'] ?? ''),
      start: Date.now(),
      end: null,
    }
    log.push(entry)
    events.emit('request', entry)
    const timer = setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<!doctype html><title>shop</title><p>a shop')
      entry.end = Date.now()
      events.emit('served', entry)
    }, opts.delayMs)
    res.on('close', () => clearTimeout(timer))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const prefix = opts.prefix ?? 'farm'
  const hosts = Array.from({ length: opts.count }, (_, i) => opts.sameHost ?? `${prefix}-${i}.test`)
  const urls = hosts.map((h, i) => `http://${h}:${port}/${opts.sameHost ? `p${i}` : ''}`)
  return {
    port,
    hosts,
    urls,
    log,
    events,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

export interface WorkerProcess {
  child: ChildProcess
  stdout: string
  stderr: string
  exited: Promise<number | null>
}

/** Starts test/helpers/queue-worker.ts in its own Node process. */
export function startWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/helpers/queue-worker.ts')],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: 'pipe' },
  )
  const w: WorkerProcess = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  }
  child.stdout?.on('data', (d: Buffer) => (w.stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (w.stderr += d.toString()))
  return w
}

/** Resolves when `check` holds, polling every `everyMs`; rejects after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
