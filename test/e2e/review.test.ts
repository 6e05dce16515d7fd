// The review app in real Chromium: log in, review, decide, export — and no captured script ever runs.
import { Ajv } from 'ajv'
import { mkdirSync, readFileSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findChromium } from '../../crawler/launch.ts'
import { PASSWORD } from '../helpers/review-seed.ts'
import { reviewHarness, type ReviewHarness } from '../helpers/review-app.ts'

const SHOTS = new URL('../../test-results/', import.meta.url)
const schema = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/review/schemas/${name}`, import.meta.url), 'utf8'),
  ) as object

// Recorded in every page before anything else can run: dialogs, CSP violations, the payloads' marker.
const HOOK = `
  window.__events = [];
  const record = (kind, detail) => window.__events.push(kind + ': ' + detail);
  for (const name of ['alert', 'confirm', 'prompt']) window[name] = (m) => record(name, String(m));
  document.addEventListener('securitypolicyviolation', (e) =>
    record('csp', e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
`

let h: ReviewHarness
let base: string
let browser: Browser
let context: BrowserContext
let page: Page
const dialogs: string[] = []

async function executions(
  p: Page,
): Promise<{ events: string[]; marker: unknown; scripts: number }> {
  return p.evaluate(() => ({
    events: (window as unknown as { __events: string[] }).__events,
    marker: (window as unknown as { __xss?: unknown }).__xss,
    scripts: document.scripts.length,
  }))
}

async function expectInert(p: Page): Promise<void> {
  expect(await executions(p)).toEqual({ events: [], marker: undefined, scripts: 0 })
  expect(dialogs).toEqual([])
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  h = await reviewHarness()
  base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  const args = ['--disable-gpu', '--disable-background-networking', '--disable-component-update']
  if (process.getuid?.() === 0) args.push('--no-sandbox')
  browser = await chromium.launch({ executablePath: findChromium(undefined), args })
  context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  })
  await context.addInitScript(HOOK)
  page = await context.newPage()
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
})

afterAll(async () => {
  await browser?.close()
  await h?.close()
})

describe('the review app in Chromium', () => {
  it('sends to the login page, and logs in', async () => {
    await page.goto(`${base}/flagged`)
    expect(new URL(page.url()).pathname).toBe('/login')
    await page.fill('input[name=name]', 'ana')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button:has-text("Log in")')
    await page.waitForURL(`${base}/`)
    await expect(page.locator('[data-count=flagged] b').textContent()).resolves.toBe('4')
    await page.screenshot({ path: new URL('review-dashboard.png', SHOTS).pathname, fullPage: true })
    await expectInert(page)
  })

  it('lists flagged scripts and campaigns with the sites they reach', async () => {
    await page.click('nav >> text=Flagged scripts')
    const row = page.locator(`tr[data-sha256="${h.seeded.skimmer}"]`)
    await expect(row.locator('td.sites').textContent()).resolves.toBe('2')
    const xss = page.locator(`tr[data-sha256="${h.seeded.xss}"]`)
    await expect(xss.innerText()).resolves.toContain('<img src=x onerror=alert(4)><script>alert(5)')
    await expectInert(page)
    await page.click('nav >> text=Campaigns')
    const exfil = page.locator('tr[data-campaign="exfil host:gtm-statistic.com"]')
    await expect(exfil.locator('td.sites').textContent()).resolves.toBe('2')
    await page.screenshot({ path: new URL('review-campaigns.png', SHOTS).pathname, fullPage: true })
  })

  it('shows a script carrying </script>, onerror and javascript: as inert text', async () => {
    await page.goto(`${base}/flagged`)
    await page.click(`tr[data-sha256="${h.seeded.xss}"] a.sha`)
    await page.waitForURL(`${base}/scripts/${h.seeded.xss}`)
    const source = await page.locator('ol.source').innerText()
    expect(source).toContain("</script><script>window.__xss = 'closing tag'; alert(1)</script>")
    expect(source).toContain('<img src=x onerror=')
    expect(source).toContain('javascript:window.__xss')
    await expect(
      page.locator('ol.source img, ol.source script, a[href^="javascript:"]').count(),
    ).resolves.toBe(0)
    await expectInert(page)
  })

  it('opens a script with its finding highlighted at its line, and marks it false positive', async () => {
    const verdict = await h.store.cachedVerdict(
      h.seeded.skimmer,
      (await h.store.review.scriptView(h.seeded.skimmer))?.rulesVersion ?? '',
    )
    const finding = verdict?.findings.find((f) => f.points > 0 && f.line > 1)
    expect(finding).toBeDefined()
    await page.goto(`${base}/flagged`)
    await page.click(`tr[data-sha256="${h.seeded.skimmer}"] a.sha`)
    await page.waitForURL(`${base}/scripts/${h.seeded.skimmer}`)
    const line = page.locator(`#L${finding?.line}`)
    await expect(line.getAttribute('class')).resolves.toBe('finding-line')
    await expect(line.locator('.finding-note').first().innerText()).resolves.toContain(
      finding?.rule ?? '?',
    )
    const plain = await page.locator('ol.source li:not(.finding-line)').count()
    expect(plain).toBeGreaterThan(0)
    await line.scrollIntoViewIfNeeded()
    await page.screenshot({ path: new URL('review-script.png', SHOTS).pathname, fullPage: true })

    await page.fill(
      'form.decide-false-positive input[name=reason]',
      'first-party analytics, checked',
    )
    await page.click('form.decide-false-positive button')
    await page.waitForURL(`${base}/scripts/${h.seeded.skimmer}`)
    await expect(page.locator('table.decisions').innerText()).resolves.toContain('false-positive')

    await page.goto(`${base}/sites/${h.seeded.sites.a}`)
    await expect(page.locator('.site-verdict').innerText()).resolves.toBe('clean')
    await expect(
      page.locator(`tr[data-mail="${h.seeded.mails.a}"] td.mail-status`).innerText(),
    ).resolves.toBe('withdrawn')
    expect((await h.store.pendingEmails()).map((m) => m.id)).not.toContain(h.seeded.mails.a)
    await expectInert(page)
  })

  it('allowlists a host with an expiry', async () => {
    await page.click('nav >> text=Decisions')
    await page.fill('form.allowlist input[name=host]', 'widgets.partner-pay.example')
    await page.fill('form.allowlist input[name=reason]', 'contracted payment widget')
    await page.fill('form.allowlist input[name=expires]', '2099-06-30')
    await page.click('form.allowlist button')
    await page.waitForURL(`${base}/decisions`)
    const row = page.locator('table.decisions tr', { hasText: 'widgets.partner-pay.example' })
    await expect(row.innerText()).resolves.toContain('2099-06-30')
    await page.goto(`${base}/sites/${h.seeded.sites.d}`)
    await expect(page.locator('.site-verdict').innerText()).resolves.toBe('clean')
  })

  it('exports confirmed indicators as STIX 2.1 and MISP that validate', async () => {
    await page.goto(`${base}/scripts/${h.seeded.xss}`)
    await page.fill(
      'form.decide-confirm input[name=reason]',
      'posts the payment form to a free host',
    )
    await page.click('form.decide-confirm button')
    await page.waitForURL(`${base}/scripts/${h.seeded.xss}`)
    await page.click('nav >> text=Exports')
    const ajv = new Ajv({ allErrors: true, strict: false })
    const download = async (label: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(`text=${label}`)])
      return JSON.parse(readFileSync(await d.path(), 'utf8')) as Record<string, unknown>
    }
    const stix = await download('STIX 2.1 bundle')
    const validStix = ajv.compile(schema('stix-2.1-bundle.schema.json'))
    expect(validStix(stix), JSON.stringify(validStix.errors)).toBe(true)
    expect(JSON.stringify(stix)).toContain(`[file:hashes.'SHA-256' = '${h.seeded.xss}']`)
    const misp = await download('MISP event')
    const validMisp = ajv.compile(schema('misp-event.schema.json'))
    expect(validMisp(misp), JSON.stringify(validMisp.errors)).toBe(true)
    expect(JSON.stringify(misp)).toContain(h.seeded.xss)
    expect(JSON.stringify(misp)).not.toContain(h.seeded.skimmer)
  })
})
