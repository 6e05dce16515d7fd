// Scheduled rescans: BullMQ job schedulers on the rescan queue, each naming which sites it takes.
// A selector is a name and a store query; another kind of follow-up adds its own selector here.
import type { Queue } from 'bullmq'
import type { Config } from '../core/config.ts'
import { BadInputError } from '../core/errors.ts'
import { sitesDueForRescan } from '../notifier/index.ts'
import type { Store } from '../store/index.ts'

type SiteSelector = (store: Store, config: Config) => Promise<number[]>

const SELECTORS: Record<string, SiteSelector> = {
  /** every known shop */
  all: async (store) => (await store.listSites()).map((s) => s.id),
  /** shops whose latest scan was judged malicious: is the skimmer still there? */
  infected: (store) => store.infectedSiteIds(),
  /** shops with an open case not scanned for SKIMWATCH_RESCAN_DAYS: the owner's follow-up */
  'follow-up': (store, config) =>
    sitesDueForRescan(store, {
      rescanAfterDays: config.rescanDays,
      maxReminders: config.maxReminders,
    }),
}

export const selectorNames = (): string[] => Object.keys(SELECTORS)

function selectorFor(select: string): SiteSelector {
  const selector = SELECTORS[select]
  if (!selector)
    throw new BadInputError(
      `unknown site selection "${select}" (known: ${selectorNames().join(', ')})`,
    )
  return selector
}

export function selectSites(store: Store, select: string, config: Config): Promise<number[]> {
  return selectorFor(select)(store, config)
}

export interface Schedule {
  name: string
  select: string
  /** milliseconds between runs, or a cron pattern */
  every: number | null
  pattern: string | null
  next: number | null
}

const DAY = 24 * 3600 * 1000

/** Installed by long-running workers when absent: operators' edits are never overwritten. */
export const DEFAULT_SCHEDULES: Omit<Schedule, 'next'>[] = [
  { name: 'rescan-all', select: 'all', every: 7 * DAY, pattern: null },
  { name: 'rescan-infected', select: 'infected', every: DAY, pattern: null },
]

/** Parses 30m, 12h, 7d, or a whole number of milliseconds. */
export function parseEvery(text: string): number {
  const m = /^(\d+)\s*(ms|s|m|h|d|w)?$/.exec(text.trim())
  if (!m) throw new BadInputError(`"${text}" is not an interval: use e.g. 30m, 12h, 7d`)
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 36e5, d: DAY, w: 7 * DAY }[m[2] ?? 'ms'] ?? 1
  const ms = Number(m[1]) * unit
  if (ms < 60_000)
    throw new BadInputError(`"${text}" is too short: a rescan interval is at least 1m`)
  return ms
}

/** What an operator asks for: exactly one of an interval (7d) or a cron pattern. */
export function scheduleTiming(o: {
  every?: string | undefined
  cron?: string | undefined
}): { every: number } | { pattern: string } {
  if ((o.every === undefined) === (o.cron === undefined))
    throw new BadInputError('give exactly one of --every (e.g. 7d) or --cron (e.g. "0 3 * * 1")')
  return o.every !== undefined ? { every: parseEvery(o.every) } : { pattern: o.cron ?? '' }
}

export async function setSchedule(
  queue: Queue,
  s: { name: string; select: string; every?: number; pattern?: string },
): Promise<void> {
  selectorFor(s.select)
  const repeat =
    s.pattern !== undefined
      ? { pattern: s.pattern }
      : // the first run is one period away: seeding already queued every site once
        { every: s.every ?? DAY, startDate: Date.now() + (s.every ?? DAY) }
  await queue
    .upsertJobScheduler(s.name, repeat, {
      name: 'rescan',
      data: { select: s.select },
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
    })
    .catch((err: Error & { code?: unknown }) => {
      // BullMQ refuses a pattern its cron parser cannot read with a plain Error (no code)
      if (s.pattern === undefined || err.code !== undefined) throw err
      throw new BadInputError(`"${s.pattern}" is not a cron pattern: ${err.message}`)
    })
}

export async function listSchedules(queue: Queue): Promise<Schedule[]> {
  const all = await queue.getJobSchedulers(0, -1, true)
  all.sort((a, b) => a.key.localeCompare(b.key))
  return all.map((j) => ({
    name: j.key,
    select: String((j.template?.data as { select?: unknown } | undefined)?.select ?? '?'),
    every: j.every ? Number(j.every) : null,
    pattern: j.pattern ?? null,
    next: j.next ?? null,
  }))
}

export async function installDefaultSchedules(queue: Queue): Promise<string[]> {
  const installed: string[] = []
  for (const s of DEFAULT_SCHEDULES) {
    if (await queue.getJobScheduler(s.name)) continue
    await setSchedule(queue, { name: s.name, select: s.select, every: s.every ?? DAY })
    installed.push(s.name)
  }
  return installed
}

export const removeSchedule = (queue: Queue, name: string): Promise<boolean> =>
  queue.removeJobScheduler(name)
