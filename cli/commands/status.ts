// skimwatch status: queue depths, throughput, failures by reason and time to drain.
import { ConfigError } from '../../core/errors.ts'
import { EXIT } from '../../core/types.ts'
import { backendConfig, openBackend, type BackendConfig } from '../../pipeline/backend.ts'
import { openQueues, STAGES, type StageQueues } from '../../pipeline/queues.ts'
import { queueStatus } from '../../pipeline/status.ts'
import type { Context } from '../context.ts'
import { printJson, printTable } from '../output.ts'

/** Opens the configured queues for a command that reads or edits them, and closes them after. */
export async function withQueues<T>(
  ctx: Context,
  fn: (queues: StageQueues, kind: BackendConfig['kind']) => Promise<T>,
): Promise<T> {
  const cfg = backendConfig(ctx.config)
  if (!cfg)
    throw new ConfigError(
      'no queues here: set REDIS_URL (and DATABASE_URL), or DATABASE_URL alone, as the workers have',
    )
  const backend = await openBackend(cfg, ctx.logger)
  try {
    return await fn(openQueues(backend), cfg.kind)
  } finally {
    await backend.close()
  }
}

export async function statusCommand(ctx: Context, o: { json?: boolean }): Promise<number> {
  return withQueues(ctx, async (queues, kind) => {
    const s = await queueStatus(queues)
    if (o.json) {
      printJson({ backend: kind, ...s })
      return EXIT.clean
    }
    printTable(
      STAGES.map((q) => {
        const c = s.queues[q]
        return [q, ...[c.waiting, c.active, c.delayed, c.completed, c.failed].map(String)]
      }),
      ['queue', 'waiting', 'active', 'delayed', 'completed', 'failed'],
    )
    const eta =
      s.etaMinutes === null
        ? 'unknown (no crawl finished lately)'
        : `${s.etaMinutes.toFixed(1)} min`
    process.stdout.write(
      `\nbackend ${kind}; crawls/min over the last ${s.windowMinutes} min: ${s.crawlsPerMinute.toFixed(1)}; time to drain: ${eta}\n`,
    )
    if (s.failures.length > 0) {
      process.stdout.write('\n')
      printTable(
        s.failures.map((f) => [String(f.count), f.reason]),
        ['failed', 'reason'],
      )
    }
    return EXIT.clean
  })
}
