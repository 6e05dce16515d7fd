import { step } from './generic.ts'
import type { RemediationTemplate } from './types.ts'

export const shopify: RemediationTemplate = {
  platform: 'shopify',
  label: 'Shopify',
  steps: [
    step.remove,
    'In Online Store → Themes → Edit code, check theme.liquid and the snippets it includes for scripts you did not add.',
    'Check Settings → Checkout (additional scripts, order status page) and Settings → Customer events (custom pixels) for unknown code.',
    'Review Settings → Apps and sales channels and remove apps you do not recognise or no longer use; review Settings → Users and permissions, including collaborator access.',
    step.passwords,
    step.admins,
    step.provider,
  ],
}
