// The skimwatch command: parses arguments, wires the stages, maps outcomes to exit codes.
import { Command, CommanderError } from 'commander'
import { SkimwatchError } from '../core/errors.ts'
import { redactSecrets } from '../core/redact.ts'
import { EXIT } from '../core/types.ts'
import type { Context } from './context.ts'

// Commands and the context (config, store, detector) are imported on use: `--version` loads
// commander alone, and `analyze` never pays for a browser driver, queues or a database client.

const collect = (value: string, previous: string[]): string[] => [...previous, value]

export async function main(argv: string[]): Promise<number> {
  let exit: number = EXIT.clean
  // `skimwatch analyze … | head`: a reader that stops early ends the output, not in a crash
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
    process.exit(exit)
  })
  let ctx: Context | undefined
  const context = async (): Promise<Context> =>
    (ctx ??= (await import('./context.ts')).createContext())
  const program = new Command('skimwatch')
    .description('Find card-skimming JavaScript on shops and get it removed')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError()

  program
    .command('analyze')
    .description(
      'judge script files statically (never runs them); one NDJSON line per file with --json',
    )
    .argument('<file...>')
    .option('--json', 'NDJSON output')
    .option('--static', 'judge the text alone: never detonate a script, even when a chamber exists')
    .action(async (files: string[], o: { json?: boolean; static?: boolean }) => {
      const { analyzeCommand } = await import('./commands/analyze.ts')
      exit = await analyzeCommand(await context(), files, o)
    })

  program
    .command('scan')
    .description('visit pages in headless Chromium now and judge every script and request')
    .argument('<url...>')
    .option(
      '--resolve <host:port:addr>',
      'map a host and port to an address, like curl (repeatable)',
      collect,
      [],
    )
    .option('--allow-private', 'allow loopback and private addresses (tests, intranet shops)')
    .option('--json', 'NDJSON output, one line per page')
    .option('--static', 'never detonate: judge scripts by their text and what the visit saw')
    .action(
      async (
        urls: string[],
        o: { resolve: string[]; allowPrivate?: boolean; json?: boolean; static?: boolean },
      ) => {
        const { scanCommand } = await import('./commands/scan.ts')
        exit = await scanCommand(await context(), urls, o)
      },
    )

  program
    .command('seed')
    .description('add shops to the store: one domain or URL per line, # comments; - reads stdin')
    .argument('<file>')
    .action(async (file: string) => {
      const { seedCommand } = await import('./commands/seed.ts')
      exit = await seedCommand(await context(), file)
    })

  program
    .command('run')
    .description(
      'crawl, judge and notify every seeded site (BullMQ when REDIS_URL is set, else in-process)',
    )
    .option('--once', 'drain the queue and exit')
    .option(
      '--resolve <host:port:addr>',
      'map a host and port to an address (repeatable)',
      collect,
      [],
    )
    .option('--allow-private', 'allow loopback and private addresses')
    .option('--static', 'never detonate: judge scripts by their text and what the visit saw')
    .option('--metrics-port <n>', 'serve Prometheus metrics on this port at /metrics')
    .option('--metrics-host <addr>', 'address the metrics listen on', '127.0.0.1')
    .option('--no-enqueue', 'work the queues only: queue no crawl of the seeded sites')
    .action(
      async (o: {
        once?: boolean
        resolve: string[]
        allowPrivate?: boolean
        static?: boolean
        metricsPort?: string
        metricsHost: string
        enqueue: boolean
      }) => {
        const { runCommand } = await import('./commands/run.ts')
        const { metricsPort, enqueue, ...rest } = o
        exit = await runCommand(await context(), {
          ...rest,
          noEnqueue: !enqueue,
          ...(metricsPort !== undefined ? { metricsPort: Number(metricsPort) } : {}),
        })
      },
    )

  program
    .command('status')
    .description('queue depths, crawls per minute, failures by reason, time to drain')
    .option('--json', 'one JSON object')
    .action(async (o: { json?: boolean }) => {
      const { statusCommand } = await import('./commands/status.ts')
      exit = await statusCommand(await context(), o)
    })

  const schedule = program
    .command('schedule')
    .description('scheduled rescans (weekly of every shop, daily of infected ones by default)')
  schedule
    .command('list')
    .option('--json', 'NDJSON output')
    .action(async (o: { json?: boolean }) => {
      const { scheduleListCommand } = await import('./commands/schedule.ts')
      exit = await scheduleListCommand(await context(), o)
    })
  schedule
    .command('set')
    .description('create or change a schedule')
    .argument('<name>')
    .option(
      '--select <which>',
      'sites it rescans: all, infected, or follow-up (open cases due for their rescan)',
      'all',
    )
    .option('--every <interval>', 'e.g. 12h, 7d')
    .option('--cron <pattern>', 'a cron pattern, e.g. "0 3 * * 1"')
    .action(async (name: string, o: { select: string; every?: string; cron?: string }) => {
      const { scheduleSetCommand } = await import('./commands/schedule.ts')
      exit = await scheduleSetCommand(await context(), name, o)
    })
  schedule
    .command('remove')
    .argument('<name>')
    .action(async (name: string) => {
      const { scheduleRemoveCommand } = await import('./commands/schedule.ts')
      exit = await scheduleRemoveCommand(await context(), name)
    })

  program
    .command('report')
    .description(
      'one line per site: latest verdict, flagged scripts, when the owner was notified, its case',
    )
    .option('--json', "NDJSON output, each line with the history of the site's cases")
    .option('--history', "print each case's history (mails sent, bounced, unsubscribed, fixed)")
    .action(async (o: { json?: boolean; history?: boolean }) => {
      const { reportCommand } = await import('./commands/report.ts')
      exit = await reportCommand(await context(), o)
    })

  program
    .command('notify')
    .description(
      'send the owner emails that are due (retries after a temporary refusal); list sites due for a rescan',
    )
    .option('--json', 'NDJSON output')
    .action(async (o: { json?: boolean }) => {
      const { notifyCommand } = await import('./commands/notify.ts')
      exit = await notifyCommand(await context(), o)
    })

  program
    .command('redetect')
    .description("judge every site's latest stored capture again with the current rules")
    .option('--json', 'NDJSON output')
    .option('--static', 'never detonate: judge scripts by their text and what the visit saw')
    .action(async (o: { json?: boolean; static?: boolean }) => {
      const { redetectCommand } = await import('./commands/redetect.ts')
      exit = await redetectCommand(await context(), o)
    })

  program
    .command('serve')
    .description('the review web app: flagged scripts, decisions, exports (loopback by default)')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--secure-cookies', 'mark cookies Secure (served over https or behind a TLS proxy)')
    .action(async (o: { port: string; host: string; secureCookies?: boolean }) => {
      const { serveCommand } = await import('./commands/serve.ts')
      exit = await serveCommand(await context(), o)
    })

  program
    .command('user')
    .description('accounts of the review app')
    .command('add')
    .description(
      'create an account, or reset its role and password; the password is read from stdin',
    )
    .argument('<name>')
    .requiredOption('--role <role>', 'analyst, operator or admin')
    .option('--token <label>', 'also create an API token with this label and print it once')
    .action(async (name: string, o: { role: string; token?: string }) => {
      const { userAddCommand } = await import('./commands/user.ts')
      exit = await userAddCommand(await context(), name, o)
    })

  program
    .command('demo')
    .description('serve the fixture shops on loopback, seed, run embedded and print what was found')
    .option('--home <dir>', 'where the demo store and outbox go (default: $SKIMWATCH_HOME/demo)')
    .action(async (o: { home?: string }) => {
      const { demoCommand } = await import('./commands/demo.ts')
      exit = await demoCommand(o)
    })

  try {
    await program.parseAsync(argv)
  } catch (err) {
    exit = reportError(err)
  }
  try {
    await ctx?.close()
  } catch (err) {
    exit = reportError(err)
  }
  return exit
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    return err.exitCode === 0 ? EXIT.clean : EXIT.error
  }
  if (err instanceof SkimwatchError) {
    process.stderr.write(`skimwatch: ${redactSecrets(err.message)}\n`)
    return EXIT.error
  }
  process.stderr.write(
    `skimwatch: unexpected error: ${redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
  )
  return EXIT.error
}
