// A worker process for the queue tests: the real workers and stages, with the browser replaced by a
// plain HTTP fetch of the fixture server (the queue machinery is the subject, not Chromium).
// Configured by environment; prints one JSON line of outcomes when the queues are drained.
import http from 'node:http'
import { loadConfig } from '../../core/config.ts'
import { createLogger } from '../../core/logger.ts'
import type { PageCapture } from '../../core/types.ts'
import { parseResolveRule } from '../../crawler/index.ts'
import { createDetector } from '../../detector/index.ts'
import { openBackend, type BackendConfig } from '../../pipeline/backend.ts'
import { openQueues, startWorkers } from '../../pipeline/queues.ts'
import type { StageDeps } from '../../pipeline/stages.ts'
import { openStore } from '../../store/index.ts'

const env = (name: string): string => {
  const v = process.env[name]
  if (v === undefined) throw new Error(`queue-worker: ${name} is not set`)
  return v
}

const capture = (url: string, started: number, reason: string | null): PageCapture => ({
  url,
  finalUrl: url,
  status: reason === null ? 'ok' : 'error',
  reason,
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  visited: reason === null ? [url] : [],
  filledCard: false,
  scripts: [],
  requests: [],
  cardReaders: [],
})

/** GET the page from the fixture server, telling it which worker asks. */
export function fetchCapture(url: string, port: number, worker: string): Promise<PageCapture> {
  const started = Date.now()
  return new Promise((resolve) => {
    const u = new URL(url)
    const req = http.get(
      { host: '127.0.0.1', port, path: u.pathname, headers: { host: u.host, 'x-worker': worker } },
      (res) => {
        res.resume()
        const ok = res.statusCode === 200
        res.on('end', () => resolve(capture(url, started, ok ? null : `HTTP ${res.statusCode}`)))
      },
    )
    req.on('error', (err) =>
      resolve(capture(url, started, `net::ERR_CONNECTION_RESET (${err.message})`)),
    )
  })
}

async function main(): Promise<void> {
  const name = env('QW_NAME')
  const port = Number(env('QW_FIXTURE_PORT'))
  const backendCfg = JSON.parse(env('QW_BACKEND')) as BackendConfig
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn')
  const store = await openStore({
    databaseUrl: env('QW_DB_URL'),
    home: '.',
    schema: env('QW_SCHEMA'),
  })
  const deps: StageDeps = {
    store,
    config: { ...loadConfig({}), home: env('QW_HOME') },
    logger,
    crawl: {
      allowPrivate: true,
      resolve: (process.env.QW_RESOLVE ?? '').split(',').filter(Boolean).map(parseResolveRule),
      timeoutMs: 5_000,
    },
    detector: createDetector(),
    browser: () =>
      Promise.resolve({
        visit: (url: string) => fetchCapture(url, port, name),
        close: () => Promise.resolve(),
      }),
  }
  const backend = await openBackend(backendCfg, logger)
  const run = startWorkers(deps, backend, openQueues(backend, 200), {
    backend: backendCfg,
    concurrency: Number(process.env.QW_CONCURRENCY ?? 3),
    once: true,
    lockDurationMs: 3_000,
    stalledIntervalMs: 1_000,
    hostDelayMs: Number(process.env.QW_HOST_DELAY_MS ?? 0),
    backoffMs: 200,
  })
  const stop = (): void => void run.stop()
  process.once('SIGTERM', stop)
  const outcomes = await run.outcomes
  await run.stop()
  await store.close()
  process.stdout.write(`${JSON.stringify({ worker: name, outcomes })}\n`)
}

await main()
