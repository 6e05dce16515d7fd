// The fixture shops on loopback and one browser that reaches them, for crawler e2e tests.
import {
  launchBrowser,
  parseResolveRule,
  type BrowserSession,
  type CrawlOptions,
} from '../../crawler/index.ts'
import { startFixtureServer, type FixtureServer } from '../../fixtures/server.ts'

/** A browser for the shops of `server`, with `opts` over the test defaults. */
export function browserFor(
  server: FixtureServer,
  opts: Partial<CrawlOptions> = {},
): Promise<BrowserSession> {
  return launchBrowser({
    allowPrivate: true,
    resolve: server.resolve.map(parseResolveRule),
    timeoutMs: 20_000,
    ...opts,
  })
}

export async function openShopsAndBrowser(): Promise<{
  server: FixtureServer
  browser: BrowserSession
}> {
  const server = await startFixtureServer()
  const browser = await browserFor(server)
  return { server, browser }
}
