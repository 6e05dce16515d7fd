import type { Budgets } from './budget.ts'
import type { ResolveRule } from './resolve.ts'

export interface CrawlOptions {
  /** visit loopback, private and link-local addresses (tests, intranet shops) */
  allowPrivate: boolean
  /** curl-style host:port → address pins */
  resolve: ResolveRule[]
  /** overall budget for one visit */
  timeoutMs: number
  chromiumPath?: string | undefined
  /** per-page limits; unset ones keep their defaults */
  budgets?: Partial<Budgets> | undefined
}
