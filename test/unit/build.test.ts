// The build: a tiny project bundled by scripts/build.mjs keeps lazy commands lazy, finds data
// files beside its sources, and the up-to-date check notices every kind of change.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { build, staleReason } from '../../scripts/build.mjs'

const SOURCES: Record<string, string> = {
  'cli/main.ts': `import facts from '../core/facts.json' with { type: 'json' }
export async function main(argv: string[]): Promise<string> {
  if (argv[0] === 'read') return (await import('./commands/read.ts')).read()
  return facts.name
}
`,
  'cli/commands/read.ts': `import { readFileSync } from 'node:fs'
export const MARKER = 'lazy-command-body'
export function read(): string {
  const sql = readFileSync(new URL('../../store/migrations/001.sql', import.meta.url), 'utf8')
  const here = readFileSync(import.meta.dirname + '/note.txt', 'utf8')
  return MARKER + ':' + sql.trim() + ':' + here.trim()
}
`,
  'cli/commands/note.txt': 'beside the command\n',
  'core/facts.json': '{ "name": "tiny" }\n',
  'store/migrations/001.sql': 'create table t (id int);\n',
}

let root: string
const write = (file: string, text: string): void => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
  writeFileSync(path.join(root, file), text)
}
/** Run the built entry in its own node process, as bin/skimwatch.mjs does. */
const run = (...argv: string[]): string => {
  const entry = pathToFileURL(path.join(root, 'dist/main.js')).href
  const code = `const { main } = await import(${JSON.stringify(entry)}); process.stdout.write(await main(process.argv.slice(1)))`
  return execFileSync(process.execPath, ['--input-type=module', '-e', code, ...argv], {
    encoding: 'utf8',
  })
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'skimwatch-build-'))
  for (const [file, text] of Object.entries(SOURCES)) write(file, text)
  await build(root)
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('build output', () => {
  it('runs, with JSON imports inlined', () => {
    expect(run()).toBe('tiny')
  })

  it('reads data files beside the sources through import.meta.url and import.meta.dirname', () => {
    expect(run('read')).toBe('lazy-command-body:create table t (id int);:beside the command')
  })

  it('keeps a command out of the entry file: it is loaded on use', () => {
    expect(readFileSync(path.join(root, 'dist/main.js'), 'utf8')).not.toContain('lazy-command-body')
    const chunks = readdirSync(path.join(root, 'dist')).filter((f) => f.endsWith('.js'))
    const withCommand = chunks.filter((f) =>
      readFileSync(path.join(root, 'dist', f), 'utf8').includes('lazy-command-body'),
    )
    expect(withCommand).toHaveLength(1)
  })
})

describe('up-to-date check', () => {
  it('is up to date right after a build', () => {
    expect(staleReason(root)).toBeNull()
  })

  it('names a changed source', async () => {
    write('cli/commands/read.ts', `${SOURCES['cli/commands/read.ts']}// edited\n`)
    expect(staleReason(root)).toBe('cli/commands/read.ts changed')
    await build(root)
    expect(staleReason(root)).toBeNull()
  })

  it('names a changed JSON import', async () => {
    write('core/facts.json', '{ "name": "renamed" }\n')
    expect(staleReason(root)).toBe('core/facts.json changed')
    await build(root)
    expect(run()).toBe('renamed')
  })

  it('names a removed source', async () => {
    write('cli/extra.ts', 'export const extra = 1\n')
    write(
      'cli/main.ts',
      `import { extra } from './extra.ts'\n${SOURCES['cli/main.ts']}void extra\n`,
    )
    await build(root)
    rmSync(path.join(root, 'cli/extra.ts'))
    expect(staleReason(root)).toBe('cli/extra.ts was removed')
  })

  it('says when there is no build', () => {
    rmSync(path.join(root, 'dist'), { recursive: true })
    expect(staleReason(root)).toBe('dist/ has not been built')
  })
})
