// The fixture shops on loopback and one browser that reaches them, for crawler e2e tests.
import { launchBrowser, parseResolveRule, type BrowserSession } from '../../crawler/index.ts'
import { startFixtureServer, type FixtureServer } from '../../fixtures/server.ts'

export async function openShopsAndBrowser(): Promise<{
  server: FixtureServer
  browser: BrowserSession
}> {
  const server = await startFixtureServer()
  const browser = await launchBrowser({
    allowPrivate: true,
    resolve: server.resolve.map(parseResolveRule),
    timeoutMs: 20_000,
  })
  return { server, browser }
}
