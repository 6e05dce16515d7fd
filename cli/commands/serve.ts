// skimwatch serve: the review web app on loopback (or --host), until SIGINT/SIGTERM.
import { BadInputError } from '../../core/errors.ts'
import { EXIT } from '../../core/types.ts'
import { backendConfig } from '../../pipeline/backend.ts'
import { exclusionsEditor } from '../../pipeline/exclusions.ts'
import { openOperations } from '../../pipeline/status.ts'
import { buildReviewApp } from '../../review/app.ts'
import { rejudgeDecided } from '../../review/decide.ts'
import type { Context } from '../context.ts'
import { parseSeedList } from '../seed-list.ts'

export interface ServeOptions {
  port: string
  host: string
  secureCookies?: boolean
}

export async function serveCommand(ctx: Context, o: ServeOptions): Promise<number> {
  const port = Number(o.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new BadInputError(`--port ${o.port} is not a port number (0-65535)`)
  }
  const store = await ctx.store()
  // decisions whose expiry passed while the app was down stop counting now
  const rejudged = await rejudgeDecided(store)
  if (rejudged.length > 0) process.stderr.write(`skimwatch: re-judged ${rejudged.length} scan(s)\n`)
  if ((await store.review.countUsers()) === 0) {
    process.stderr.write(
      'skimwatch: no accounts yet: create one with `skimwatch user add <name> --role admin`\n',
    )
  }
  // the queues panel and /metrics read the same queues the workers use, when there are any
  const cfg = backendConfig(ctx.config)
  const ops = cfg ? await openOperations(cfg, ctx.logger, store) : null
  const app = await buildReviewApp({
    store,
    secureCookies: o.secureCookies ?? false,
    parseSeedList,
    exclusions: exclusionsEditor(ctx.config.exclusionsFile),
    defaultTlp: ctx.config.defaultTlp,
    ...(ops ? { operations: ops } : {}),
  })
  if (!isLoopback(o.host) && !o.secureCookies) {
    process.stderr.write(
      `skimwatch: serving on ${o.host} without --secure-cookies: put it behind https before anyone logs in\n`,
    )
  }
  const address = await app.listen({ port, host: o.host })
  process.stdout.write(`skimwatch review app listening on ${address}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await app.close()
  await ops?.close()
  return EXIT.clean
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}
