// skimwatch schedule list|set|remove: the rescans the workers run on their own.
import { EXIT } from '../../core/types.ts'
import type { StageQueues } from '../../pipeline/queues.ts'
import {
  listSchedules,
  removeSchedule,
  scheduleTiming,
  setSchedule,
} from '../../pipeline/schedules.ts'
import type { Context } from '../context.ts'
import { printJson, printTable } from '../output.ts'
import { withQueues } from './status.ts'

const withRescanQueue = <T>(ctx: Context, fn: (q: StageQueues['rescan']) => Promise<T>) =>
  withQueues(ctx, (queues) => fn(queues.rescan))

const human = (ms: number | null): string => {
  if (ms === null) return ''
  for (const [unit, size] of [
    ['d', 864e5],
    ['h', 36e5],
    ['m', 6e4],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`
  return `${ms}ms`
}

export async function scheduleListCommand(ctx: Context, o: { json?: boolean }): Promise<number> {
  const all = await withRescanQueue(ctx, listSchedules)
  if (o.json) for (const s of all) printJson(s)
  else
    printTable(
      all.map((s) => [
        s.name,
        s.select,
        s.pattern ?? `every ${human(s.every)}`,
        s.next ? new Date(s.next).toISOString() : '',
      ]),
      ['name', 'sites', 'when', 'next run'],
    )
  return EXIT.clean
}

export async function scheduleSetCommand(
  ctx: Context,
  name: string,
  o: { select: string; every?: string; cron?: string },
): Promise<number> {
  const timing = scheduleTiming(o)
  await withRescanQueue(ctx, (q) => setSchedule(q, { name, select: o.select, ...timing }))
  process.stdout.write(`schedule ${name} set\n`)
  return EXIT.clean
}

export async function scheduleRemoveCommand(ctx: Context, name: string): Promise<number> {
  const removed = await withRescanQueue(ctx, (q) => removeSchedule(q, name))
  process.stdout.write(removed ? `schedule ${name} removed\n` : `no schedule named ${name}\n`)
  return removed ? EXIT.clean : EXIT.error
}
