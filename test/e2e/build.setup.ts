// e2e tests spawn bin/skimwatch.mjs, which runs dist/: build it first when a source changed.
import { ensureBuilt } from '../../scripts/build.mjs'

export default async function setup(): Promise<void> {
  await ensureBuilt()
}
