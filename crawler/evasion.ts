// What a visit looks like to the shop: one plausible desktop Chrome on Windows, the same every time.
import type { BrowserContextOptions, CDPSession } from 'playwright'

export const SCREEN = { width: 1920, height: 1080 }
/** The browser window; the viewport is what is left inside its frame and toolbars. */
export const WINDOW = { width: 1366, height: 768 }
export const VIEWPORT = { width: WINDOW.width - 16, height: WINDOW.height - 111 }
export const TIMEZONE = 'Europe/Berlin'
export const LANGUAGES = ['en-US', 'en']

export function chromeMajor(browserVersion: string): string {
  return browserVersion.split('.')[0] ?? '130'
}

/** A Windows desktop Chrome user agent for this Chromium's major version. */
export function windowsUserAgent(browserVersion: string): string {
  const major = chromeMajor(browserVersion)
  return `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`
}

export function contextOptions(userAgent: string): BrowserContextOptions {
  return {
    userAgent,
    viewport: VIEWPORT,
    screen: SCREEN,
    locale: 'en-US',
    timezoneId: TIMEZONE,
    serviceWorkers: 'block',
    extraHTTPHeaders: { 'accept-language': 'en-US,en;q=0.9' },
  }
}

/** Sets the UA with matching client hints (Sec-CH-UA, navigator.userAgentData) on one page. */
export async function applyUserAgent(cdp: CDPSession, browserVersion: string): Promise<void> {
  const major = chromeMajor(browserVersion)
  const brands = [
    { brand: 'Chromium', version: major },
    { brand: 'Google Chrome', version: major },
    { brand: 'Not=A?Brand', version: '24' },
  ]
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent: windowsUserAgent(browserVersion),
    acceptLanguage: 'en-US,en',
    platform: 'Win32',
    userAgentMetadata: {
      brands,
      fullVersionList: brands.map((b) => ({ ...b, version: `${b.version}.0.0.0` })),
      fullVersion: `${major}.0.0.0`,
      platform: 'Windows',
      platformVersion: '10.0.0',
      architecture: 'x86',
      model: '',
      mobile: false,
      bitness: '64',
      wow64: false,
    },
  })
}

/** Init-script part: window frame sizes and webdriver, the tells CDP emulation leaves behind. */
export const EVASION_SOURCE = `
  try {
    Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false, configurable: true });
  } catch {}
  {
    const def = (name, value) => { try { Object.defineProperty(window, name, { get: value, configurable: true }) } catch {} };
    def('outerWidth', () => ${WINDOW.width});
    def('outerHeight', () => ${WINDOW.height});
    def('screenX', () => 0);
    def('screenY', () => 0);
    try {
      Object.defineProperty(Screen.prototype, 'availHeight', { get: () => ${SCREEN.height - 40}, configurable: true });
    } catch {}
  }
`
