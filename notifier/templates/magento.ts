import { withPlatformSteps } from './generic.ts'
import type { RemediationTemplate } from './types.ts'

export const magento: RemediationTemplate = {
  platform: 'magento',
  label: 'Magento / Adobe Commerce',
  steps: withPlatformSteps([
    'In the admin, check Content → Design → Configuration (HTML Head "Scripts and Style Sheets" and Footer "Miscellaneous HTML"), Content → Blocks and Content → Widgets for scripts you did not add; in the database, look at core_config_data rows for design/head/includes and design/footer/absolute_footer, and at cms_block.',
    'Apply the latest Magento / Adobe Commerce security patches and update every extension; abandoned extensions are a frequent way in.',
    'Check System → Permissions → All Users for unknown admins, and look for unexpected files under pub/, app/code/ and vendor/ (compare against a clean copy with `composer install`).',
    'Flush the caches (bin/magento cache:flush) after cleaning so the injected code is no longer served.',
  ]),
}
