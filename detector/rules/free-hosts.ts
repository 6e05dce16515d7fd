// Free hosting, tunnelling, paste and request-capture services skimmers use as drop hosts.
export const FREE_HOSTS: { suffix: string; what: string }[] = [
  { suffix: 'ngrok.io', what: 'ngrok tunnel' },
  { suffix: 'ngrok-free.app', what: 'ngrok tunnel' },
  { suffix: 'ngrok.app', what: 'ngrok tunnel' },
  { suffix: 'trycloudflare.com', what: 'Cloudflare quick tunnel' },
  { suffix: 'loca.lt', what: 'localtunnel' },
  { suffix: 'serveo.net', what: 'serveo tunnel' },
  { suffix: 'workers.dev', what: 'Cloudflare Workers free subdomain' },
  { suffix: 'pages.dev', what: 'Cloudflare Pages free subdomain' },
  { suffix: 'glitch.me', what: 'Glitch free hosting' },
  { suffix: '000webhostapp.com', what: '000webhost free hosting' },
  { suffix: 'herokuapp.com', what: 'Heroku free subdomain' },
  { suffix: 'repl.co', what: 'Replit free hosting' },
  { suffix: 'netlify.app', what: 'Netlify free subdomain' },
  { suffix: 'vercel.app', what: 'Vercel free subdomain' },
  { suffix: 'firebaseio.com', what: 'Firebase realtime database' },
  { suffix: 'web.app', what: 'Firebase hosting' },
  { suffix: 'pastebin.com', what: 'paste site' },
  { suffix: 'paste.ee', what: 'paste site' },
  { suffix: 'hastebin.com', what: 'paste site' },
  { suffix: 'webhook.site', what: 'request-capture service' },
  { suffix: 'requestbin.net', what: 'request-capture service' },
  { suffix: 'pipedream.net', what: 'request-capture service' },
  { suffix: 'beeceptor.com', what: 'request-capture service' },
  { suffix: 'interact.sh', what: 'out-of-band capture service' },
  { suffix: 'oast.fun', what: 'out-of-band capture service' },
  { suffix: 'api.telegram.org', what: 'Telegram bot API' },
  { suffix: 'discord.com', what: 'Discord webhook' },
  { suffix: 'discordapp.com', what: 'Discord webhook' },
  { suffix: 'raw.githubusercontent.com', what: 'raw GitHub file' },
  { suffix: 'gist.githubusercontent.com', what: 'GitHub gist' },
]

export function freeHost(host: string): string | undefined {
  return FREE_HOSTS.find((f) => host === f.suffix || host.endsWith(`.${f.suffix}`))?.what
}
