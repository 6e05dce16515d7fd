// The network guard as the crawler starts it: off with --allow-private, else one proxy per browser.
import type { CrawlOptions } from '../options.ts'
import { makeLookup } from './lookup.ts'
import { startGuardProxy, type GuardProxy } from './server.ts'

export type { GuardProxy, Refusal } from './server.ts'

export async function startNetGuard(opts: CrawlOptions): Promise<GuardProxy | undefined> {
  if (opts.allowPrivate) return undefined
  return startGuardProxy({
    resolve: opts.resolve,
    lookup: makeLookup(opts.dnsServers),
    reachVia: opts.reachVia,
    onRefused: opts.onRefused,
  })
}
