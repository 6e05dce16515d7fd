// Prometheus metrics of a worker process: jobs by state, visit durations, verdicts, browser memory.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { processTree } from '../core/proc-tree.ts'
import type { Stage, StageQueues } from './queues.ts'

export interface PipelineMetrics {
  registry: Registry
  visitSeconds: Histogram
  verdicts: Counter<'verdict'>
  processed: Counter<'queue' | 'result'>
}

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const

/** `queues` are read on every scrape; browser memory is Chromium under this process. */
export function createMetrics(queues: () => StageQueues | null): PipelineMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'skimwatch_process_' })
  new Gauge({
    name: 'skimwatch_jobs',
    help: 'Jobs in each queue by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const q = queues()
      if (!q) return
      for (const [stage, queue] of Object.entries(q) as [Stage, StageQueues[Stage]][]) {
        const counts = await queue.getJobCounts(...JOB_STATES)
        for (const state of JOB_STATES) this.set({ queue: stage, state }, counts[state] ?? 0)
      }
    },
  })
  new Gauge({
    name: 'skimwatch_browser_memory_bytes',
    help: 'Resident memory of the Chromium processes this worker runs',
    registers: [registry],
    collect() {
      const chromium = processTree(process.pid).filter((p) => /chrom/i.test(p.comm))
      this.set(chromium.reduce((sum, p) => sum + p.rssBytes, 0))
    },
  })
  return {
    registry,
    visitSeconds: new Histogram({
      name: 'skimwatch_visit_duration_seconds',
      help: 'Time one shop visit took, politeness waits excluded',
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers: [registry],
    }),
    verdicts: new Counter({
      name: 'skimwatch_verdicts_total',
      help: 'Page verdicts the detect stage reached',
      labelNames: ['verdict'],
      registers: [registry],
    }),
    processed: new Counter({
      name: 'skimwatch_jobs_processed_total',
      help: 'Jobs this worker finished, by queue and result (completed, retried, failed)',
      labelNames: ['queue', 'result'],
      registers: [registry],
    }),
  }
}

/** Serves GET /metrics on the given address until close(). */
export async function serveMetrics(
  metrics: PipelineMetrics,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end()
      return
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
