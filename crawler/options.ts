import type { Budgets } from './budget.ts'
import type { Refusal } from './proxy/server.ts'
import type { ResolveRule } from './resolve.ts'

export interface CrawlOptions {
  /** visit loopback, private and link-local addresses (tests, intranet shops) */
  allowPrivate: boolean
  /** curl-style host:port → address pins */
  resolve: ResolveRule[]
  /** overall budget for one visit */
  timeoutMs: number
  chromiumPath?: string | undefined
  /** DNS servers the guard resolves through ('127.0.0.1:5353'); default: the system resolver */
  dnsServers?: string[] | undefined
  /** tests only: the guard dials a checked public address at this loopback one instead */
  reachVia?: Record<string, string> | undefined
  /** told of every request the network guard refuses */
  onRefused?: ((r: Refusal) => void) | undefined
  /** most times the card is typed on one card form when new code appears (default 3) */
  fillRounds?: number | undefined
  /** page time the page's timers are run ahead after a fill, in ms (default 60 s) */
  pageTimeMs?: number | undefined
  /** per-page limits; unset ones keep their defaults */
  budgets?: Partial<Budgets> | undefined
}
