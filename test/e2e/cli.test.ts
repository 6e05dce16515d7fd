// The CLI contract, run as a user runs it.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.ts'
import type { PageRecord as ScanLine } from '../../pipeline/page-record.ts'
import { ndjson, ROOT, runCli } from '../helpers/cli.ts'

interface AnalyzeLine {
  file: string
  sha256: string
  verdict: string
  score: number
  findings: { rule: string; severity: string; message: string; line: number; column: number }[]
}
const noServices = { DATABASE_URL: '', REDIS_URL: '', SMTP_URL: '' }

describe('skimwatch analyze', () => {
  it('flags a skimmer with line/column findings and passes jQuery', async () => {
    const skimmer = 'fixtures/samples/malicious/inline-shop-skimmer.js'
    const jquery = 'node_modules/jquery/dist/jquery.min.js'
    const r = await runCli(['analyze', skimmer, jquery, '--json'])
    expect(r.code).toBe(1)
    const [bad, good] = ndjson<AnalyzeLine>(r.stdout)
    expect(bad).toMatchObject({ file: skimmer, verdict: 'malicious' })
    expect(bad?.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(bad?.score).toBeGreaterThanOrEqual(70)
    expect(bad?.findings.length).toBeGreaterThan(0)
    for (const f of bad?.findings ?? []) {
      expect(Object.keys(f).sort()).toEqual(['column', 'line', 'message', 'rule', 'severity'])
      expect(f.line).toBeGreaterThan(0)
    }
    expect(good).toMatchObject({ file: jquery, verdict: 'clean' })
  })

  it('detonates an HTML block static analysis could not clear, as markup in the page', async () => {
    const block = 'fixtures/detonate/footer-block-data-config.html'
    const home = await mkdtemp(path.join(tmpdir(), 'skimwatch-home-'))
    try {
      const r = await runCli(['analyze', block, '--json'], { env: { SKIMWATCH_HOME: home } })
      const [line] = ndjson<AnalyzeLine>(r.stdout)
      expect(line).toMatchObject({ file: block, verdict: 'malicious' })
      expect(line?.findings.map((f) => f.rule)).toContain('observed-card-exfil')
      expect(r.code).toBe(1)
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  })

  it('stops quietly when its reader goes away (`| head -1`)', () => {
    const files = ['inline-shop-skimmer.js', 'plain-image-beacon.js', 'atob-eval-loader.js']
      .map((f) => `fixtures/samples/malicious/${f}`)
      .join(' ')
    const r = spawnSync(
      'sh',
      ['-c', `node bin/skimwatch.mjs analyze --static ${files} ${files} | head -1`],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...noServices } },
    )
    expect(r.stdout).toMatch(/^VERDICT/)
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/)
  })

  it('exits 0 on clean input and 2 on a missing file', async () => {
    expect((await runCli(['analyze', 'node_modules/jquery/dist/jquery.min.js'])).code).toBe(0)
    const missing = await runCli(['analyze', 'no/such/file.js', '--json'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/cannot read no\/such\/file\.js: .*ENOENT/)
  })
})

describe('skimwatch analyze over a folder of mixed files', () => {
  let dir: string
  const names = {
    skimmer: 'skimmer.js',
    benign: 'benign.js',
    html: 'checkout.html',
    binary: 'logo.bin',
    empty: 'empty.js',
    big: 'bundle.js',
    missing: 'gone.js',
  }
  const at = (name: string): string => path.join(dir, name)
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'skimwatch-mix-'))
    await copyFile('fixtures/samples/malicious/inline-shop-skimmer.js', at(names.skimmer))
    await copyFile('fixtures/samples/benign/checkout-validation.js', at(names.benign))
    await copyFile('fixtures/analyze-mix/skimmer-inline.html', at(names.html))
    await writeFile(at(names.binary), randomBytes(64 * 1024))
    await writeFile(at(names.empty), '')
    const jquery = await readFile('node_modules/jquery/dist/jquery.min.js', 'utf8')
    await writeFile(at(names.big), `${jquery};\n`.repeat(Math.ceil((10 * 2 ** 20) / jquery.length)))
  })
  afterAll(async () => rm(dir, { recursive: true, force: true }))

  it('writes one line per file, an error line for the missing one, judges the rest, exits 2', async () => {
    const files = Object.values(names).map(at)
    const r = await runCli(['analyze', ...files, '--json'])
    const lines = ndjson<AnalyzeLine & { error?: string }>(r.stdout)
    expect(lines.map((l) => l.file)).toEqual(files)
    const by = Object.fromEntries(
      Object.entries(names).map(([k, v]) => [k, lines.find((l) => l.file === at(v))]),
    )
    expect(by.missing).toEqual({ file: at(names.missing), error: expect.stringMatching(/ENOENT/) })
    for (const [kind, line] of Object.entries(by)) {
      if (kind === 'missing') continue
      expect(line?.error, kind).toBeUndefined()
      expect(['clean', 'suspicious', 'malicious'], kind).toContain(line?.verdict)
      expect(line?.sha256, kind).toMatch(/^[0-9a-f]{64}$/)
    }
    expect(by.skimmer?.verdict).toBe('malicious')
    expect(by.benign?.verdict).toBe('clean')
    expect(by.html?.verdict).not.toBe('clean')
    const htmlSource = await readFile(at(names.html), 'utf8')
    const evalLine = htmlSource.slice(0, htmlSource.indexOf('eval(atob(s))')).split('\n').length
    expect(by.html?.findings.some((f) => f.line === evalLine && f.severity !== 'info')).toBe(true)
    expect(by.binary).toMatchObject({ verdict: 'clean', findings: [{ rule: 'not-javascript' }] })
    expect(by.empty).toMatchObject({ verdict: 'clean', score: 0, findings: [] })
    expect(by.big?.findings.map((f) => f.rule)).toContain('analysis-budget')
    expect(r.stderr).toMatch(/cannot read .*gone\.js/)
    expect(r.code).toBe(2)
  })

  it('judges the same on several threads as on the main thread, line for line', async () => {
    const files = Object.values(names).map(at)
    const many = await runCli(['analyze', ...files, '--json'], {
      env: { SKIMWATCH_ANALYZE_THREADS: '3' },
    })
    const one = await runCli(['analyze', ...files, '--json'], {
      env: { SKIMWATCH_ANALYZE_THREADS: '1' },
    })
    expect(ndjson(many.stdout)).toHaveLength(files.length)
    expect(many.stdout).toBe(one.stdout)
    expect(many.code).toBe(one.code)
  })

  it('without --json, the unreadable file is a table row and the others are judged', async () => {
    const r = await runCli(['analyze', at(names.missing), at(names.skimmer), at(names.empty)])
    expect(r.code).toBe(2)
    const rows = r.stdout.split('\n')
    expect(rows.find((l) => l.includes(names.missing))).toMatch(/^error\s+-\s+/)
    expect(rows.find((l) => l.endsWith(names.skimmer))).toMatch(/^malicious\s+\d+/)
    expect(rows.find((l) => l.endsWith(names.empty))).toMatch(/^clean\s+0/)
  })
})

describe('skimwatch analyze with an operator signature directory', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'skimwatch-sigs-'))
    await writeFile(
      path.join(dir, 'campaign.yar'),
      'rule Campaign_Exfil_Host : skimmer\n{\n  meta:\n    severity = "critical"\n    score = 80\n  strings:\n    $h = "collect.badcdn-example.net"\n  condition:\n    $h\n}\n',
    )
    await writeFile(path.join(dir, 'broken.yar'), 'rule Broken {\n  condition: $nope\n}\n')
    await writeFile(
      path.join(dir, 'sample.js'),
      'var u = "https://collect.badcdn-example.net/p";\nconsole.log(u)\n',
    )
  })
  afterAll(async () => rm(dir, { recursive: true, force: true }))

  it('applies a dropped-in YARA rule and reports a broken file by name', async () => {
    const r = await runCli(['analyze', path.join(dir, 'sample.js'), '--json'], {
      env: { SKIMWATCH_SIGNATURES: dir },
    })
    expect(r.stderr).toMatch(/broken\.yar.*skipped/)
    const [line] = ndjson<AnalyzeLine>(r.stdout)
    expect(line?.findings.map((f) => f.rule)).toContain('yara:Campaign_Exfil_Host')
    expect(line?.verdict).toBe('malicious')
    expect(r.code).toBe(1)
  })

  it('on several threads, every thread applies the directory and the broken file is reported once', async () => {
    const sample = path.join(dir, 'sample.js')
    const r = await runCli(['analyze', sample, sample, sample, '--json', '--static'], {
      env: { SKIMWATCH_SIGNATURES: dir, SKIMWATCH_ANALYZE_THREADS: '2' },
    })
    expect(r.stderr.match(/broken\.yar.*skipped/g)).toHaveLength(1)
    const lines = ndjson<AnalyzeLine>(r.stdout)
    expect(lines).toHaveLength(3)
    for (const line of lines)
      expect(line.findings.map((f) => f.rule)).toContain('yara:Campaign_Exfil_Host')
  })
})

describe('skimwatch scan', () => {
  let server: Awaited<ReturnType<typeof startFixtureServer>>
  beforeAll(async () => {
    server = await startFixtureServer()
  })
  afterAll(async () => server?.close())

  it('marks the card-carrying exfil request on a skimmed checkout and names the sending script', async () => {
    const shop = server.shops.find((s) => s.host === 'shop-inline.test')
    if (!shop) throw new Error('fixture shop-inline.test missing')
    const resolve = server.hosts.flatMap((h) => ['--resolve', `${h}:${server.port}:127.0.0.1`])
    const url = `http://shop-inline.test:${server.port}/checkout`
    const r = await runCli(['scan', url, ...resolve, '--allow-private', '--json'], {
      env: noServices,
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(1)
    const [page] = ndjson<ScanLine>(r.stdout)
    expect(page?.verdict).toBe('malicious')
    const exfil = page?.exfil.find((e) => e.carriesCard)
    expect(exfil).toBeDefined()
    expect(new URL(exfil?.url ?? 'x:').hostname).toBe(shop.expected.exfilHosts[0])
    expect(page?.scripts.map((s) => s.sha256)).toContain(exfil?.script)
  })

  it('refuses a loopback target without --allow-private', async () => {
    const r = await runCli(['scan', `http://127.0.0.1:${server.port}/`, '--json'], {
      env: noServices,
    })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/127\.0\.0\.1.*loopback.*--allow-private/)
  })
})

describe('skimwatch seed and report', () => {
  let home: string
  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'skimwatch-cli-'))
  })
  afterAll(async () => rm(home, { recursive: true, force: true }))

  it('reports each bad line with its number and keeps the good ones', async () => {
    const list = path.join(home, 'shops.txt')
    await writeFile(
      list,
      '# campaign\nshop-a.example\nthis is garbage\nhttps://shop-b.example/checkout\n!!!\nshop-a.example\n',
    )
    const env = { ...noServices, SKIMWATCH_HOME: home }
    const seeded = await runCli(['seed', list], { env })
    expect(seeded.code).toBe(0)
    expect(seeded.stderr).toMatch(/shops\.txt:3: skipped "this is garbage"/)
    expect(seeded.stderr).toMatch(/shops\.txt:5: skipped "!!!"/)
    expect(seeded.stdout).toMatch(
      /seeded 2 new site\(s\), 0 already known, 2 bad line\(s\) skipped/,
    )

    const again = await runCli(['seed', '-'], { env, input: 'shop-b.example\nshop-c.example\n' })
    expect(again.stdout).toMatch(/seeded 1 new site\(s\), 1 already known/)

    const report = await runCli(['report', '--json'], { env })
    expect(report.code).toBe(0)
    const rows = ndjson<{ domain: string; verdict: string | null; notifiedAt: string | null }>(
      report.stdout,
    )
    expect(rows.map((r) => r.domain).sort()).toEqual([
      'shop-a.example',
      'shop-b.example',
      'shop-c.example',
    ])
    expect(rows.every((r) => r.verdict === null && r.notifiedAt === null)).toBe(true)
  })
})

describe('skimwatch usage errors', () => {
  it('exits 2 with help on an unknown command', async () => {
    const r = await runCli(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown command/)
  })

  it('exits 2 with the variable named on bad configuration', async () => {
    const r = await runCli(['report'], { env: { REDIS_URL: 'localhost' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/REDIS_URL/)
  })
})
