// Starts Chromium once per worker; each visit gets its own fresh context.
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright'
import { BrowserUnavailableError } from '../core/errors.ts'
import type { CrawlOptions } from './options.ts'
import { startNetGuard } from './proxy/index.ts'
import { hostResolverRulesArg } from './resolve.ts'
import { openSession, type BrowserSession } from './session.ts'

export type { BrowserSession } from './session.ts'

const SYSTEM_CHROMIUM = '/usr/bin/chromium'
/** A page that allocates without end has its renderer killed at this heap size, not the machine's. */
const PAGE_HEAP_ARG = '--js-flags=--max-old-space-size=512'
const ADVICE =
  'install it with `apt-get install chromium` or set SKIMWATCH_CHROMIUM to a Chromium binary'

/** The Chromium to drive: the configured one, else the system one, else Playwright's own. */
export function findChromium(configured: string | undefined): string {
  if (configured !== undefined) {
    if (existsSync(configured)) return configured
    throw new BrowserUnavailableError(`no Chromium at ${configured}; ${ADVICE}`)
  }
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM
  const bundled = (() => {
    try {
      return chromium.executablePath()
    } catch {
      return ''
    }
  })()
  if (bundled !== '' && existsSync(bundled)) return bundled
  throw new BrowserUnavailableError(`no Chromium found; ${ADVICE}`)
}

export function chromiumArgs(opts: CrawlOptions, guardPort?: number): string[] {
  const args = [
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    // Keeps navigator.webdriver false natively; the init script covers the rest.
    '--disable-blink-features=AutomationControlled',
    // Chromium 156 gives every context's window two omnibox-popup WebUI pages, each in a renderer
    // of its own (~150 MB per context), and keeps a spare renderer warm: none is of use headless.
    // Site isolation stays on, and a context never shares a renderer with another one.
    '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess',
  ]
  if (process.getuid?.() === 0) args.push('--no-sandbox')
  if (guardPort !== undefined) {
    // Every request, loopback included, goes through the guard; WebRTC may not go around it.
    args.push(`--proxy-server=http://127.0.0.1:${guardPort}`, '--proxy-bypass-list=<-loopback>')
    args.push('--webrtc-ip-handling-policy=disable_non_proxied_udp')
  }
  const rules = hostResolverRulesArg(opts.resolve)
  if (rules !== undefined) args.push(rules)
  return args
}

/** A desktop Chrome user agent for this Chromium's major version, without "HeadlessChrome". */
export function desktopUserAgent(version: string): string {
  const major = version.split('.')[0] ?? '130'
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`
}

async function startChromium(
  executablePath: string,
  opts: CrawlOptions,
  guardPort: number | undefined,
): Promise<Browser> {
  const args = [...chromiumArgs(opts, guardPort), PAGE_HEAP_ARG]
  try {
    return await chromium.launch({ executablePath, headless: true, args })
  } catch (err) {
    const first = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)
    throw new BrowserUnavailableError(
      `cannot start Chromium at ${executablePath}: ${first}; ${ADVICE}`,
    )
  }
}

/** Starts Chromium now, so a missing browser is reported before any visit. */
export async function launchBrowser(opts: CrawlOptions): Promise<BrowserSession> {
  const executablePath = findChromium(opts.chromiumPath)
  const guard = await startNetGuard(opts)
  const start = () => startChromium(executablePath, opts, guard?.port)
  try {
    const session = openSession(opts, await start(), start, (b) => desktopUserAgent(b.version()))
    return { ...session, close: () => session.close().finally(() => guard?.close()) }
  } catch (err) {
    await guard?.close()
    throw err
  }
}
