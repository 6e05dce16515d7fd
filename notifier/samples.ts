// Every email the notifier can write, rendered for a sample case: for `check:mail` and the tests.
import { LANGS, type Lang } from './i18n.ts'
import { renderNotice, renderResolved, type Notice, type RenderedEmail } from './render.ts'
import { PLATFORMS } from './templates/index.ts'

export interface SampleEmail {
  name: string
  lang: Lang
  email: RenderedEmail
}

/** A realistic case: a skimmer loaded from a lookalike host, sending the card away. */
export function sampleNotice(platform: string, over: Partial<Notice> = {}): Notice {
  return {
    domain: 'shop.example',
    siteUrl: 'https://shop.example/',
    pageUrl: 'https://shop.example/checkout/',
    verdict: 'malicious',
    foundAt: '2026-11-20T08:14:00.000Z',
    lastSeenAt: '2026-11-27T08:20:00.000Z',
    platform,
    scripts: [
      {
        url: 'https://cdn-jsdelivr.example/npm/jquery.min.js',
        sha256: '5f1c3a9be0d74e0c2f6b8a1d9e3c7b4a6d2e8f0a1b3c5d7e9f1a3b5c7d9e1f3a',
        verdict: 'malicious',
        excerpt: 'document.querySelector("#cc_number").value',
        findings: [
          {
            rule: 'card-read-and-send',
            severity: 'critical',
            message: 'reads the card number field and sends it to another host',
            line: 1,
            column: 2041,
          },
        ],
      },
    ],
    exfil: [
      {
        url: 'https://cdn-jsdelivr.example/collect',
        host: 'cdn-jsdelivr.example',
        carriesCard: true,
      },
    ],
    ...over,
  }
}

export function sampleEmails(opts: { from: string; unsubscribeUrl: string }): SampleEmail[] {
  const out: SampleEmail[] = []
  const to = ['security@shop.example']
  for (const lang of LANGS) {
    for (const platform of PLATFORMS) {
      for (const reminder of [undefined, 1]) {
        const email = renderNotice(sampleNotice(platform), { ...opts, to, lang, reminder })
        out.push({ name: `${reminder ? 'reminder' : 'notice'}-${platform}`, lang, email })
      }
    }
    const resolved = renderResolved('shop.example', { ...opts, to, lang })
    out.push({ name: 'resolved', lang, email: { ...resolved, key: `resolved-${lang}` } })
  }
  return out
}
