// The compiled CLI as users run it: bin/skimwatch.mjs → dist/, and the same answer from source.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ndjson, ROOT, runCli } from '../helpers/cli.ts'

interface AnalyzeLine {
  file: string
  sha256: string
  verdict: string
  score: number
  findings: unknown[]
}

let dir: string
let tiny: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'skimwatch-cli-'))
  tiny = path.join(dir, 'tiny.js')
  writeFileSync(tiny, 'var greeting = "hello"\n')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('analyze --json prints the contract line from dist/', async () => {
  const r = await runCli(['analyze', tiny, '--json'])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  const lines = ndjson<AnalyzeLine>(r.stdout)
  expect(lines).toEqual([
    {
      file: tiny,
      sha256: 'c4735fdc6d298b1d0f7cdcf3c2b2620a4c5bf54e722285ae4411d8521ddc518f',
      verdict: 'clean',
      score: 0,
      findings: [],
    },
  ])
})

it('analyze --static --json gives the same line', async () => {
  const r = await runCli(['analyze', '--static', '--json', tiny])
  expect(r.code).toBe(0)
  expect(ndjson<AnalyzeLine>(r.stdout)[0]?.verdict).toBe('clean')
})

it('SKIMWATCH_SOURCE=1 runs the TypeScript sources with the same answer', async () => {
  const built = await runCli(['analyze', tiny, '--json'])
  const source = await runCli(['analyze', tiny, '--json'], { env: { SKIMWATCH_SOURCE: '1' } })
  expect(source.code).toBe(0)
  expect(source.stdout).toBe(built.stdout)
})

it('--version prints the version', async () => {
  const r = await runCli(['--version'])
  expect(r).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' })
})

it('says how to build when dist/ is missing', () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'skimwatch-nobuild-'))
  try {
    cpSync(path.join(ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true })
    const r = spawnSync(process.execPath, [path.join(copy, 'bin/skimwatch.mjs'), '--version'], {
      encoding: 'utf8',
    })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('npm run build')
    expect(r.stderr).toContain('SKIMWATCH_SOURCE=1')
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
})
