// In-browser half of the network guard: subresources and redirects to private hosts are aborted.
// The browser resolves names itself, so this is a first line; DNS rebinding needs the pinning proxy.
import type { BrowserContext } from 'playwright'
import { BlockedTargetError } from '../core/errors.ts'
import { assertTargetAllowed } from './guard.ts'
import type { CrawlOptions } from './options.ts'

export async function installGuard(context: BrowserContext, opts: CrawlOptions): Promise<void> {
  const verdicts = new Map<string, Promise<boolean>>()
  const allowed = (url: URL) => {
    const key = `${url.protocol}//${url.host}`
    let verdict = verdicts.get(key)
    if (verdict === undefined) {
      verdict = assertTargetAllowed(url.href, opts).then(
        () => true,
        (err: unknown) => !(err instanceof BlockedTargetError),
      )
      verdicts.set(key, verdict)
    }
    return verdict
  }
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url())
    if (!/^(https?|wss?):$/.test(url.protocol)) return route.continue()
    const probe = new URL(url.href.replace(/^ws/, 'http'))
    if (await allowed(probe)) return route.continue()
    return route.abort('blockedbyclient')
  })
}
