// Small records for notifier tests: a notice, contacts, settings, a site with one scan.
import os from 'node:os'
import type { PageCapture } from '../../core/types.ts'
import type { Contact, MailSettings, Notice } from '../../notifier/index.ts'
import type { Store } from '../../store/index.ts'

/** A malicious notice for `domain` whose one flagged script has the sha256 `sha` repeated. */
export function caseNotice(domain: string, sha = 'e'): Notice {
  return {
    domain,
    siteUrl: `http://${domain}/`,
    pageUrl: `http://${domain}/checkout`,
    verdict: 'malicious',
    foundAt: '2026-11-23T10:00:00.000Z',
    platform: 'magento',
    scripts: [
      { url: 'http://evil.test/s.js', sha256: sha.repeat(64), verdict: 'malicious', findings: [] },
    ],
    exfil: [{ url: 'http://evil.test/c', host: 'evil.test', carriesCard: true }],
  }
}

export const contactsOf = (...addresses: string[]): Contact[] =>
  addresses.map((address) => ({
    address,
    source: 'site',
    detail: null,
    languages: [],
    skipped: null,
  }))

export const settingsFor = (smtpUrl: string | undefined, maxReminders = 2): MailSettings => ({
  delivery: { smtpUrl, outboxDir: os.tmpdir(), from: 'skimwatch@notify.test' },
  publicUrl: 'https://skimwatch.test',
  policy: { rescanAfterDays: 7, maxReminders },
})

function capture(domain: string, startedAt: string): PageCapture {
  return {
    url: `http://${domain}/`,
    finalUrl: `http://${domain}/checkout`,
    status: 'ok',
    reason: null,
    startedAt,
    durationMs: 1,
    visited: [`http://${domain}/`],
    filledCard: true,
    scripts: [],
    requests: [],
    cardReaders: [],
  }
}

/** Adds the site when new and stores one more scan of it. */
export async function siteWithScan(
  store: Store,
  domain: string,
): Promise<{ siteId: number; scanId: number }> {
  await store.addSites([{ domain, url: `http://${domain}/` }])
  const site = (await store.listSites()).find((s) => s.domain === domain)!
  const scanId = await store.saveCapture(site.id, capture(domain, new Date().toISOString()))
  return { siteId: site.id, scanId }
}
