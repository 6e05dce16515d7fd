#!/usr/bin/env node
// Entry point: runs the compiled CLI in dist/ (built by scripts/install.sh or `npm run build`).
// SKIMWATCH_SOURCE=1 runs the TypeScript sources through tsx instead: no build, slower start.
import { existsSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'

// Judging a batch of files is a few large tree walks over nodes of hundreds of shapes: V8
// re-optimises them again and again as new shapes arrive, and with inlining each of those
// compiles is large. Without it, `analyze --static` over the npm corpus took 0.84× the wall time
// (paired farm-bench runs).
const BATCH_COMMANDS = new Set(['analyze', 'redetect'])
if (BATCH_COMMANDS.has(process.argv[2])) setFlagsFromString('--no-turbo-inlining')

const main = await load(process.env.SKIMWATCH_SOURCE === '1')
process.exitCode = await main(process.argv)

async function load(fromSource) {
  if (fromSource) {
    const { register } = await import('tsx/esm/api')
    register()
    return (await import('../cli/main.ts')).main
  }
  const dist = new URL('../dist/main.js', import.meta.url)
  if (!existsSync(dist)) {
    process.stderr.write(
      'skimwatch: dist/ has not been built: run `npm run build` (or scripts/install.sh),\n' +
        '  or set SKIMWATCH_SOURCE=1 to run the TypeScript sources\n',
    )
    process.exit(2)
  }
  return (await import(dist.href)).main
}
