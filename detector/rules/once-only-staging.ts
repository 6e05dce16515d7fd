import { pathOf } from '../paths.ts'
import type { Rule } from './types.ts'

export const onceOnlyStaging = {
  id: 'once-only-staging',
  severity: 'low',
  description:
    'Checks a cookie or storage flag and sets it afterwards, so it acts once per visitor',
  points: 10,
  check(script) {
    const cookieSet = script.assigns.find((a) => a.target === 'cookie')
    const cookieRead =
      cookieSet &&
      script.calls.find(
        (c) =>
          /^(indexOf|includes|match|test|search)$/.test(c.name) &&
          (/\bcookie\b/.test(c.object) ||
            c.args.some(
              (a) =>
                /\bcookie$/.test(pathOf(a)) ||
                (a.type === 'Identifier' && c.layer.taint(a).has('storage')),
            )),
      )
    if (cookieRead && cookieSet)
      return [
        {
          site: cookieRead.site,
          message: 'checks a cookie flag that it sets itself (acts once per visitor)',
        },
      ]
    const gets = script.calls.filter((c) => c.name === 'getItem' && c.object !== '')
    const sets = script.calls.filter((c) => c.name === 'setItem' && c.object !== '')
    for (const g of gets) {
      const key = g.args[0] ? g.layer.folder.foldString(g.args[0]) : undefined
      if (
        key !== undefined &&
        sets.some((s) => s.args[0] && s.layer.folder.foldString(s.args[0]) === key)
      )
        return [{ site: g.site, message: `checks storage flag "${key}" that it sets itself` }]
    }
    return []
  },
} satisfies Rule
