import { pageUrlSchemes, type PageUrlPolicy } from '#common/page-url';
import { scriptHash, type PagePolicy } from '#http/security-headers';
import { COPY_LINK_SCRIPT } from './console/invitation-views';
import { HAND_OFF_SCRIPT } from './hand-off-page';

/**
 * Content-Security-Policies of the accept page and the console (`frame-ancestors 'none'` is added
 * to each). Styles stay inline (`'unsafe-inline'` for styles only): each page carries its own
 * stylesheet, the tenant's colour is written into it, and the funnel's bars are sized in `style`
 * attributes, which no hash can cover. Scripts do not: the accept page runs only the one line that
 * submits the hand-off form, the console only its copy buttons, each allowed by hash. Images: the tenant's logo comes
 * from its own https origin (and
 * over http where private addresses are allowed, as in local setups); the QR codes are inline SVG.
 * The hand-off form POSTs to the host application's https redirect URL, which `form-action` governs.
 */
export function webPagePolicies(options: PageUrlPolicy): PagePolicy[] {
  const remote = pageUrlSchemes(options).join(' ');
  const base = [
    "default-src 'self'",
    `img-src 'self' ${remote}`,
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
  return [
    { prefix: '/console', directives: `${base}; script-src ${scriptHash(COPY_LINK_SCRIPT)}; form-action 'self'` },
    { prefix: '/i/', directives: `${base}; script-src ${scriptHash(HAND_OFF_SCRIPT)}; form-action 'self' ${remote}` },
  ];
}
