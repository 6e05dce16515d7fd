// A page that eats memory or serves a 50 MB script ends with a recorded reason, and the same
// browser session captures the next shop as if nothing happened; all with the network guard on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchBrowser, parseResolveRule, type BrowserSession } from '../../crawler/index.ts'
import { startFixtureServer, type FixtureServer } from '../../fixtures/server.ts'

let server: FixtureServer
let session: BrowserSession

const hostile = (host: string) => `http://${host}:${server.port}/`
const shopUrl = () => server.shops.find((s) => s.host === 'shop-clean.test')?.url ?? ''

async function expectNextShopCaptured() {
  const c = await session.visit(shopUrl())
  expect(c.status, c.reason ?? '').toBe('ok')
  expect(c.filledCard).toBe(true)
}

beforeAll(async () => {
  server = await startFixtureServer()
  // Guard on, the fixture hosts vouched for by their pins: the path production visits take.
  session = await launchBrowser({
    allowPrivate: false,
    resolve: server.resolve.map(parseResolveRule),
    timeoutMs: 15_000,
  })
}, 30_000)

afterAll(async () => {
  await session?.close()
  await server?.close()
})

describe('exhaustion', { timeout: 60_000 }, () => {
  it('stops a page that allocates until its renderer dies, then visits the next shop', async () => {
    const c = await session.visit(hostile('memory-hog.test'))
    expect(c.status).toBe('budget')
    expect(c.reason).toMatch(
      /^the page ran out of memory \(heap limit\) on http:\/\/memory-hog\.test:\d+\/; its renderer was stopped$/,
    )
    await expectNextShopCaptured()
  })

  it('stops a 50 MB script at the bytes budget, then visits the next shop', async () => {
    const c = await session.visit(hostile('huge-script.test'))
    expect(c.status).toBe('budget')
    expect(c.reason).toMatch(
      /^page larger than 20 MB \(response bytes budget\) at http:\/\/huge-script/,
    )
    await expectNextShopCaptured()
  })

  it('stops an endless redirect at the redirect budget, then visits the next shop', async () => {
    const c = await session.visit(hostile('redirect-loop.test'))
    expect(c.status).toBe('budget')
    expect(c.reason).toMatch(/^redirected more than 10 times \(redirect budget\)/)
    await expectNextShopCaptured()
  })

  it('is not stalled by debugger statements while heap-limit pauses stay on', async () => {
    const c = await session.visit(hostile('debugger-trap.test'))
    expect(c.status, c.reason ?? '').toBe('ok')
    expect(c.durationMs).toBeLessThan(15_000)
  })

  it('lets a shop’s WebSocket through the guard to its vouched-for host', async () => {
    const url = server.shops.find((s) => s.host === 'shop-websocket.test')?.url ?? ''
    const c = await session.visit(url)
    const frame = c.requests.find((r) => r.type === 'websocket' && r.carriesCard)
    expect(frame).toMatchObject({ method: 'SEND', thirdParty: true })
    // the frame reached the fixture server, through the proxy's tunnel
    expect(server.hits.some((h) => h.body.includes('4111'))).toBe(true)
  })
})
