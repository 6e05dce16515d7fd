// Bull Board in the review app, in real Chromium, on both queue backends: an operator sees the
// crawl queue; an analyst is refused; the board's scripts run under its own CSP only, and the
// other pages still run no script and break no policy.
import { chromium, type Browser, type Page } from 'playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../core/logger.ts'
import { findChromium } from '../../crawler/launch.ts'
import { openOperations } from '../../pipeline/status.ts'
import { PASSWORD } from '../helpers/review-seed.ts'
import { reviewHarness, type ReviewHarness } from '../helpers/review-app.ts'
import { QUEUE_BACKENDS, uniqueName } from '../helpers/services.ts'

// Recorded in every page before anything else runs: CSP violations.
const HOOK = `
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
`
const violations = (p: Page) => p.evaluate(() => (window as unknown as { __csp: string[] }).__csp)

let browser: Browser
beforeAll(async () => {
  const args = ['--disable-gpu', '--disable-background-networking', '--disable-component-update']
  if (process.getuid?.() === 0) args.push('--no-sandbox')
  browser = await chromium.launch({ executablePath: findChromium(undefined), args })
})
afterAll(async () => browser?.close())

async function loggedIn(base: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  await context.addInitScript(HOOK)
  const page = await context.newPage()
  await page.goto(`${base}/login`)
  await page.fill('input[name=name]', name)
  await page.fill('input[name=password]', PASSWORD)
  await page.click('button:has-text("Log in")')
  await page.waitForURL(`${base}/`)
  return page
}

describe.each(QUEUE_BACKENDS)('Bull Board on $name queues', ({ cfg, drop }) => {
  const prefix = uniqueName('sw_board')
  let h: ReviewHarness
  let ops: Awaited<ReturnType<typeof openOperations>>
  let base: string

  beforeAll(async () => {
    ops = await openOperations(cfg(prefix), createLogger('silent'), {
      latestScanBySite: (ids) => h.store.latestScanBySite(ids),
    })
    h = await reviewHarness({ operations: ops })
    await ops.rescanSite(h.seeded.sites.a)
    base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await h?.close()
    await ops?.close()
    await drop(prefix)
  })

  it('shows an operator the crawl queue and its waiting job', async () => {
    const page = await loggedIn(base, 'otto')
    await page.click('nav >> text=Queues')
    await page.click('a:has-text("Bull Board")')
    await page.waitForURL(`${base}/queues/board/`)
    await page.getByText('crawl', { exact: true }).first().waitFor()
    await page.goto(`${base}/queues/board/queue/crawl?status=waiting`)
    await page.getByText(`crawl-${h.seeded.sites.a}-after-`).first().waitFor()
    // its own scripts ran (script-src 'self'); nothing inline or foreign was allowed to
    expect(await page.evaluate(() => document.querySelectorAll('script[src]').length)).toBe(4)
    expect((await violations(page)).filter((v) => v.startsWith('script-src'))).toEqual([])
    await page.context().close()
  })

  it('refuses an analyst the board, its API and its scripts', async () => {
    const page = await loggedIn(base, 'ana')
    for (const path of ['/queues/board/', '/queues/board/api/queues']) {
      const res = await page.goto(`${base}${path}`)
      expect(res?.status(), path).toBe(403)
      expect(await page.textContent('body')).not.toContain('"counts"')
    }
    expect(await page.locator('nav >> text=Queues').count()).toBe(0)
    await page.context().close()
  })

  it('keeps every other page free of scripts and CSP violations', async () => {
    const page = await loggedIn(base, 'otto')
    for (const path of [
      '/',
      '/queues',
      '/schedules',
      '/exclusions',
      `/sites/${h.seeded.sites.a}`,
    ]) {
      const res = await page.goto(`${base}${path}`)
      expect(res?.headers()['content-security-policy'], path).toContain("script-src 'none'")
      expect(await violations(page), path).toEqual([])
      expect(await page.evaluate(() => document.scripts.length), path).toBe(0)
    }
    await page.context().close()
  })
})
