// A worker process for the queue tests: the real workers and stages, with the browser replaced by a
// plain HTTP fetch of the fixture server (the queue machinery is the subject, not Chromium).
// Configured by environment; prints one JSON line of outcomes when the queues are drained.
import { loadConfig } from '../../core/config.ts'
import { createLogger } from '../../core/logger.ts'
import { parseResolveRule } from '../../crawler/index.ts'
import { createDetector } from '../../detector/index.ts'
import { openBackend, type BackendConfig } from '../../pipeline/backend.ts'
import { openQueues, startWorkers } from '../../pipeline/queues.ts'
import type { StageDeps } from '../../pipeline/stages.ts'
import { openStore } from '../../store/index.ts'
import { fetchCapture } from './queue-worker-fetch.ts'

const env = (name: string): string => {
  const v = process.env[name]
  if (v === undefined) throw new Error(`queue-worker: ${name} is not set`)
  return v
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
